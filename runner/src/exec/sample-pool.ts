import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { UnitBatch } from './sample-worker.js';
import type { UnitOutcome } from './unit-work.js';

/**
 * Worker threads for per-sample work, one per core. Started on first use only: a fully cached
 * run never pays for them.
 */
export class SamplePool {
  private pool: Piscina | undefined;

  constructor(readonly threads = Math.max(1, availableParallelism())) {}

  async run(batch: UnitBatch, signal?: AbortSignal): Promise<UnitOutcome[]> {
    if (!this.pool) {
      const { Piscina: PiscinaPool } = await import('piscina');
      this.pool ??= new PiscinaPool({ filename: workerFile(), minThreads: 0, maxThreads: this.threads, idleTimeout: 1000 });
    }
    return (await this.pool.run(batch, signal ? { signal } : {})) as UnitOutcome[];
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}

/** The compiled worker; when the runner itself runs from TypeScript sources (tests), use dist/. */
function workerFile(): string {
  const here = fileURLToPath(new URL('./sample-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = here.replace(/[/\\]src[/\\]exec[/\\]sample-worker\.js$/, '/dist/exec/sample-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`sample worker not found at ${here}; run \`npx tsc -b\` first`);
}
