import cppTarget from '@tinyforge/target-cpp';
import type { TargetContext } from '@tinyforge/sdk';
import type { z } from 'zod';

/** The cpp target's params minus its Cortex-M estimate options: what shapes the library. */
export const libraryParams = cppTarget.params.omit({ estimate: true, cores: true });
export type LibraryParams = z.output<typeof libraryParams>;

/**
 * The C++ library exactly as the cpp target emits it (same model code, same DSP glue), captured
 * as a file map instead of written out: this target packages it, it does not regenerate it.
 */
export async function cppLibraryFiles(ctx: TargetContext, params: LibraryParams): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const text = new TextDecoder();
  await cppTarget.emit({
    ...ctx,
    params: cppTarget.params.parse({ ...libraryParams.parse(params), estimate: 'off' }),
    output: {
      writeFile: async (rel, data) => void files.set(rel, typeof data === 'string' ? data : text.decode(data)),
      writeJson: async (rel, value) => void files.set(rel, JSON.stringify(value, null, 2)),
    },
  });
  return files;
}
