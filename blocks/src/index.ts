export { builtinBlocks } from './registry.js';
export { registerBlock, loadRegisteredBlock, type BlockRegistration } from './registration.js';
// Typed pipeline params for every built-in block (declaration merging into @tinyforge/sdk's BlockRegistry).
import './block-types.js';
