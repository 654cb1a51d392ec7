export * from './errors.js';
export * from './artifacts.js';
export * from './block.js';
export * from './pipeline.js';
export * from './target.js';
export * from './emit-c.js';
