import { TinyforgeError, type AnyBlock } from '@tinyforge/sdk';

/**
 * For deploy planning: every DSP block a device must run needs `emitC`. Returns one error per
 * block without it, naming the pipeline instance, the block and where it came from.
 * Called by deploy/check-deploys.ts for the inference path of every deployment.
 */
export function missingEmitC(blocks: readonly { name: string; block: AnyBlock; source: string }[], file?: string): TinyforgeError[] {
  return blocks
    .filter((b) => b.block.kind === 'dsp' && typeof (b.block as { emitC?: unknown }).emitC !== 'function')
    .map(
      (b) =>
        new TinyforgeError({
          code: 'PLUGIN',
          file,
          block: b.name,
          message: `${b.block.id}@${b.block.version} (${b.source}) has no C implementation (emitC), so it cannot run on a device`,
          hint: 'deploy needs every DSP block to ship emitC; see docs/plugins.md',
        }),
    );
}
