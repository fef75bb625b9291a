// Test support: one place for what many tests share. Each module says what it is for.
export * from './attacks.js';
export * from './browser.js';
export * from './cluster.js';
export * from './html.js';
export * from './logs.js';
export * from './ports.js';
export * from './redis.js';
export * from './stack.js';
export * from './google-errors.js';
export * from './vm-power.js';
