import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SampleRef } from '@tinyforge/sdk';
import { atomicWrite } from '../util/atomic-write.js';

/**
 * Per-sample results of one block configuration (block@version + params + env): unit key →
 * the sample refs it produced. A unit is one input sample, or one source file for ingest.
 * Adding one sample to a dataset of 10,000 finds 10,000 hits here and computes one.
 */
export type UnitResults = Record<string, SampleRef[]>;

export class UnitIndex {
  constructor(readonly dir: string) {}

  private pathOf(baseKey: string): string {
    return join(this.dir, baseKey.slice(0, 2), `${baseKey}.json`);
  }

  async load(baseKey: string): Promise<UnitResults> {
    try {
      const parsed = JSON.parse(await readFile(this.pathOf(baseKey), 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as UnitResults) : {};
    } catch {
      return {};
    }
  }

  /** Merges new unit results into the stored ones. Call under the base key's lock. */
  async merge(baseKey: string, added: UnitResults): Promise<void> {
    if (Object.keys(added).length === 0) return;
    const current = await this.load(baseKey);
    Object.assign(current, added);
    await atomicWrite(this.pathOf(baseKey), JSON.stringify(current), { fsync: true });
  }
}
