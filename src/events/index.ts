// Google account events (Cross-Account Protection / RISC): see docs/account-events.md.
export * from './config.js';
export * from './errors.js';
export * from './execute.js';
export * from './parse-events.js';
export * from './plan.js';
export * from './receiver.js';
export * from './risc-api.js';
export * from './router.js';
export * from '../storage/account-events/index.js';
export * from './token-match.js';
export * from './transmitter-keys.js';
export * from './types.js';
export * from './verify-set.js';
