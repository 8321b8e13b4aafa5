// The load library's public surface: scenario context, runners, statistics, timeline, SLAs.
export * from './atomic.js';
export * from './runners.js';
export * from './stats.js';
export * from './timeline.js';
export * from './sla.js';
