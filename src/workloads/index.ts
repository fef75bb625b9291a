/** Workload identity review: pure finding rules per section, the Workflows lint, and the section loaders. */
export * from './guides.js';
export * from './findings.js';
export * from './outcome.js';
export * from './identity.js';
export * from './vms.js';
export * from './cloud-run.js';
export * from './keys.js';
export * from './method-index.js';
export * from './workflow-source.js';
export * from './workflow-lint.js';
export * from './workflows.js';
export * from './config.js';
export * from './gather.js';
export * from './sections.js';
export * from './lint-report.js';
