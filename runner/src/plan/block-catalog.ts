import { builtinBlocks, loadRegisteredBlock, type BlockRegistration } from '@tinyforge/blocks';
import { SUPPORTED_BLOCK_API_VERSIONS, TinyforgeError, checkBlockDeclaration, majorOf, type AnyBlock } from '@tinyforge/sdk';

/** A block the catalog knows, with where it came from (for `blocks list` and error messages). */
export interface CatalogEntry extends BlockRegistration {
  /** npm package that provides it. */
  source: string;
}

export interface ResolvedBlock {
  block: AnyBlock;
  /** Module worker threads can import to run the block's per-sample function; absent for inline blocks. */
  moduleUrl?: string;
  source: string;
}

/**
 * Every block the runner can use: built-ins plus plugins, listed lazily (a listing imports no
 * block module). Resolving `dsp/mfcc@1` picks the highest version with major 1.
 */
export class BlockCatalog {
  private readonly loaded = new Map<string, Promise<AnyBlock>>();

  constructor(readonly entries: readonly CatalogEntry[]) {}

  static builtin(extra: readonly CatalogEntry[] = []): BlockCatalog {
    return new BlockCatalog([...builtinBlocks.map((b) => ({ ...b, source: '@tinyforge/blocks' })), ...extra]);
  }

  find(id: string, major: number): CatalogEntry | undefined {
    return this.entries
      .filter((e) => e.id === id && majorOf(e.version) === major)
      .sort((a, b) => compareSemver(b.version, a.version))[0];
  }

  /** Loads a block and checks the module really holds what the listing promised. */
  async load(entry: CatalogEntry): Promise<AnyBlock> {
    let pending = this.loaded.get(entry.moduleUrl);
    if (!pending) {
      pending = loadRegisteredBlock(entry).then((block) => {
        checkLoadedBlock(block, entry.source);
        if (block.id !== entry.id || block.version !== entry.version) {
          throw new TinyforgeError({ code: 'PLUGIN', message: `${entry.source}: ${entry.moduleUrl} exports ${block.id}@${block.version}, but is listed as ${entry.id}@${entry.version}` });
        }
        return block;
      });
      this.loaded.set(entry.moduleUrl, pending);
    }
    return pending;
  }

  /** Known ids close to a misspelt one, for "did you mean". */
  suggest(id: string): string[] {
    const ids = [...new Set(this.entries.map((e) => e.id))];
    return ids.filter((candidate) => editDistance(candidate, id) <= Math.max(2, Math.floor(id.length / 4))).slice(0, 3);
  }
}

export function checkLoadedBlock(block: AnyBlock, source: string): void {
  const problems = checkBlockDeclaration(block);
  if (problems.length > 0) throw new TinyforgeError({ code: 'PLUGIN', message: `${source}: invalid block "${String(block.id)}": ${problems.join('; ')}` });
  if (!SUPPORTED_BLOCK_API_VERSIONS.includes(block.apiVersion)) {
    throw new TinyforgeError({
      code: 'PLUGIN',
      message: `${source}: block ${block.id}@${block.version} was written for block API ${block.apiVersion}, but this runner supports API ${SUPPORTED_BLOCK_API_VERSIONS.join(', ')}`,
      hint: block.apiVersion > Math.max(...SUPPORTED_BLOCK_API_VERSIONS) ? 'upgrade @tinyforge/runner' : 'upgrade the plugin',
    });
  }
}

export function compareSemver(a: string, b: string): number {
  const pa = a.split(/[.+-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length]![b.length]!;
}
