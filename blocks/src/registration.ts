import type { AnyBlock, BlockKind } from '@tinyforge/sdk';

/**
 * How a built-in block is listed without importing it: listing blocks must stay cheap
 * (no TensorFlow, no WASM), so each entry loads its module only when the block is used.
 */
export interface BlockRegistration {
  id: string;
  /** Exact semver of the block the module exports (checked when loaded). */
  version: string;
  kind: BlockKind;
  description: string;
  /** URL of the module whose default export is the block; worker threads import it. */
  moduleUrl: string;
}

/** Declares a lazily loaded block living at `relativeModule` next to `baseUrl`. */
export function registerBlock(
  baseUrl: string,
  relativeModule: string,
  facts: Omit<BlockRegistration, 'moduleUrl'>,
): BlockRegistration {
  return { ...facts, moduleUrl: new URL(relativeModule, baseUrl).href };
}

/** Imports a registered block's module and returns its default export. */
export async function loadRegisteredBlock(reg: BlockRegistration): Promise<AnyBlock> {
  const mod = (await import(reg.moduleUrl)) as { default?: AnyBlock };
  if (!mod.default) throw new Error(`${reg.moduleUrl} has no default export`);
  return mod.default;
}
