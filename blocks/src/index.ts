export { builtinBlocks } from './registry.js';
export { registerBlock, loadRegisteredBlock, type BlockRegistration } from './registration.js';
