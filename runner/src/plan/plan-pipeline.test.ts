import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { TinyforgeError, TinyforgeErrors } from '@tinyforge/sdk';
import { loadPipeline } from '../config/load-pipeline.js';
import { BlockCatalog, type CatalogEntry } from './block-catalog.js';
import { planPipeline } from './plan-pipeline.js';

const fixture = (file: string) => pathToFileURL(join(import.meta.dirname, '../../../test/fixtures/slice-plugin', file)).href;
const entries: CatalogEntry[] = [
  { id: 'slice/csv', version: '1.0.0', kind: 'ingest', description: '', moduleUrl: fixture('csv.mjs'), source: 'fixture' },
  { id: 'slice/scale', version: '1.0.0', kind: 'transform', description: '', moduleUrl: fixture('scale.mjs'), source: 'fixture' },
  { id: 'slice/summary', version: '1.0.0', kind: 'learn', description: '', moduleUrl: fixture('summary.mjs'), source: 'fixture' },
];
const catalog = new BlockCatalog(entries);

function writeConfig(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-plan-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

async function problems(name: string, content: string): Promise<string[]> {
  const file = writeConfig(name, content);
  try {
    await planPipeline(await loadPipeline(file), catalog);
  } catch (error) {
    expect(error).toBeInstanceOf(TinyforgeError);
    const all = error instanceof TinyforgeErrors ? error.errors : [error as TinyforgeError];
    return all.map((e) => e.format().replace(file, '<file>'));
  }
  throw new Error('expected the config to be rejected');
}

const good = {
  name: 'p',
  blocks: {
    ingest: { block: 'slice/csv@1' },
    scale: { block: 'slice/scale@1', inputs: { samples: 'ingest' }, params: { factor: 2 } },
    summary: { block: 'slice/summary@1', inputs: { samples: 'scale' } },
  },
};
const json = (value: unknown) => JSON.stringify(value, null, 2);
const withBlocks = (blocks: Record<string, unknown>) => json({ ...good, blocks: { ...good.blocks, ...blocks } });

describe('plan-time config errors name file, block, field, expected and found', () => {
  test('a valid pipeline plans in dependency order with defaults filled in', async () => {
    const plan = await planPipeline(await loadPipeline(writeConfig('pipeline.json', json(good))), catalog);
    expect(plan.blocks.map((b) => b.name)).toEqual(['ingest', 'scale', 'summary']);
    expect(plan.blocks[1]!.params).toEqual({ factor: 2, offset: 0, delayMs: 0 });
  });

  test('unknown block, with a suggestion', async () => {
    expect(await problems('pipeline.json', withBlocks({ scale: { block: 'slice/scal@1', inputs: { samples: 'ingest' } } }))).toEqual([
      '<file>: block "scale": block: unknown block "slice/scal" (found slice/scal@1)\n  hint: did you mean slice/scale? (tinyforge blocks list)',
    ]);
  });

  test('unknown major version lists the available ones', async () => {
    expect((await problems('pipeline.json', withBlocks({ ingest: { block: 'slice/csv@2' } })))[0]).toContain('block slice/csv has no major version 2 (expected one of slice/csv@1, found slice/csv@2)');
  });

  test('a param of the wrong type and an unknown param, both reported', async () => {
    expect(await problems('pipeline.json', withBlocks({ scale: { block: 'slice/scale@1', inputs: { samples: 'ingest' }, params: { factor: 'two', ofset: 1 } } }))).toEqual([
      '<file>: block "scale": params.ofset: slice/scale has no param "ofset"\n  hint: did you mean "offset"?',
      '<file>: block "scale": params.factor: wrong type (expected number, found string "two")',
    ]);
  });

  test('a cycle is named by its path', async () => {
    const config = withBlocks({
      ingest: { block: 'slice/csv@1' },
      a: { block: 'slice/scale@1', inputs: { samples: 'b' } },
      b: { block: 'slice/scale@1', inputs: { samples: 'a' } },
    });
    expect(await problems('pipeline.json', config)).toEqual(['<file>: blocks form a cycle: a → b → a']);
  });

  test('wrong artifact kind between blocks (a learn block fed by a learn block)', async () => {
    const out = await problems('pipeline.json', withBlocks({ more: { block: 'slice/summary@1', inputs: { samples: 'summary' } } }));
    expect(out).toEqual([
      '<file>: block "more": inputs.samples: input "samples" of slice/summary needs dataset artifacts, but "summary" (slice/summary) produces model (expected dataset, found model)',
    ]);
  });

  test('unconnected input and a reference to a block that does not exist', async () => {
    const out = await problems('pipeline.json', withBlocks({ scale: { block: 'slice/scale@1' }, summary: { block: 'slice/summary@1', inputs: { samples: 'scael' } } }));
    expect(out).toContain('<file>: block "scale": inputs.samples: input "samples" (dataset) is not connected\n  hint: add inputs: { samples: \'<block name>\' }');
    expect(out.some((l) => l.startsWith('<file>: block "summary": inputs.samples: reads from "scael", which is not a block of this pipeline'))).toBe(true);
  });

  test('schema errors in the pipeline itself (YAML), one line each', async () => {
    const out = await problems('pipeline.yaml', 'name: Bad Name\nblocks:\n  ingest:\n    block: slice/csv\n    cahce: never\n');
    expect(out).toContain('<file>: name: invalid value (expected lower-case letters, digits, "-" and "_", found string "Bad Name")');
    expect(out).toContain('<file>: block "ingest": unknown field(s) "cahce"');
    expect(out.some((l) => l.startsWith('<file>: block "ingest": block: invalid value'))).toBe(true);
  });

  test('unparseable YAML names the line', async () => {
    expect((await problems('pipeline.yaml', 'name: x\nblocks: [\n'))[0]).toMatch(/^<file>: cannot parse at line \d+/);
  });

  test('a TypeScript pipeline with definePipeline() is loaded and validated the same way', async () => {
    const sdk = pathToFileURL(join(import.meta.dirname, '../../../plugins/sdk/dist/index.js')).href;
    const file = writeConfig('pipeline.ts', `import { definePipeline } from '${sdk}';\nconst factor: number = 3;\nexport default definePipeline(${json({ ...good, blocks: { ...good.blocks, scale: { ...good.blocks.scale, params: { factor: 3 } } } }).replace('"factor": 3', '"factor": factor')});\n`);
    const plan = await planPipeline(await loadPipeline(file), catalog);
    expect(plan.blocks[1]!.params).toEqual({ factor: 3, offset: 0, delayMs: 0 });
  });
});
