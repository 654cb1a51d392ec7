import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../support/slice-project.js';

const run = promisify(execFile);
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

// Inside the repo so `@tinyforge/*`, zod and the example plugin resolve through node_modules.
const dir = mkdtempSync(join(REPO_ROOT, 'test/.tmp-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = `/// <reference types="@tinyforge/blocks" />
/// <reference path="../../plugins/example-wavelet-denoise/src/index.ts" />
import { definePipeline } from '@tinyforge/sdk';
import waveletDenoise from '../../plugins/example-wavelet-denoise/src/index.js';
`;

const GOOD = `${HEADER}
import type { PipelineConfig } from '@tinyforge/sdk';
const pipeline = definePipeline({
  name: 'typed',
  blocks: {
    ingest: { block: 'ingest/files@1', params: { directory: 'data', extensions: ['.wav'], split: { from: 'hash', by: 'group', groupPattern: '([0-9a-f]{8})_', testRatio: 0.2 } } },
    augment: { block: 'transform/augment@1', params: { noiseDirectory: 'noise', snrDb: [5, 20], copies: 1, seed: 1 }, inputs: { samples: 'ingest' } },
    denoise: { block: 'example/wavelet-denoise@1', params: { levels: 2, threshold: 0.1, mode: 'hard' }, inputs: { samples: 'augment' } },
    denoise2: { block: waveletDenoise, params: { threshold: 'universal' }, inputs: { samples: 'denoise' } },
    mfcc: { block: 'dsp/mfcc@1', params: { num_cepstral: 13, fft_length: 512 }, inputs: { samples: 'denoise2' }, cache: 'never' },
    untyped: { block: 'acme/not-installed@3', params: { anything: [1, 'two'] }, inputs: { samples: 'mfcc' } },
    local: { block: './blocks/mine', params: { free: true } },
  },
});
// Still a plain PipelineConfig for code that takes one.
const plain: PipelineConfig = pipeline;
export default plain;
`;

// Each line marked "// error: <code>" must get exactly that tsc error; no other line may get one.
const BAD = `${HEADER}
export default definePipeline({
  name: 'typed',
  blocks: {
    a: { block: 'dsp/mfcc@1', params: { num_cepstral: '13' } }, // error: TS2322
    b: { block: 'dsp/mfcc@1', params: { num_cepstrall: 13 } }, // error: TS2561
    c: { block: 'ingest/files@1', params: { directory: 'd', split: { from: 'hsh' } } }, // error: TS2820
    d: { block: 'example/wavelet-denoise@1', params: { threshold: 'auto' } }, // error: TS2322
    e: { block: waveletDenoise, params: { levels: '2' } }, // error: TS2322
    f: { block: 'transform/window@1', params: { sizeMs: 1000, strideMs: 500 }, cache: 'sometimes' }, // error: TS2322
    g: { block: 'transform/window@1', params: { strideMs: 500 } }, // error: TS2741
  },
});
`;

function expectedErrors(source: string): Map<number, string> {
  const out = new Map<number, string>();
  source.split('\n').forEach((line, i) => {
    const m = /\/\/ error: (TS\d+)/.exec(line);
    if (m) out.set(i + 1, m[1]!);
  });
  return out;
}

describe('typed pipelines', () => {
  test('tsc checks params of registered ids and block objects against their zod schemas', async () => {
    writeFileSync(join(dir, 'good.ts'), GOOD);
    writeFileSync(join(dir, 'bad.ts'), BAD);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['good.ts', 'bad.ts'] }),
    );
    const result = await run(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    const errors = result.out.split('\n').filter((l) => /error TS\d+/.test(l));
    const found = new Map<string, string[]>();
    for (const line of errors) {
      const m = /^(good|bad)\.ts\((\d+),\d+\): error (TS\d+)/.exec(line);
      expect(m, `unexpected tsc output: ${line}`).not.toBeNull();
      const key = `${m![1]}:${m![2]}`;
      found.set(key, [...(found.get(key) ?? []), m![3]!]);
    }
    expect([...found.keys()].filter((k) => k.startsWith('good:')), result.out).toEqual([]);
    const want = expectedErrors(BAD);
    expect(want.size).toBe(7);
    for (const [line, code] of want) expect(found.get(`bad:${line}`), `bad.ts line ${line}\n${result.out}`).toEqual([code]);
    expect(found.size).toBe(want.size);
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(/'num_cepstrall' does not exist .* Did you mean to write 'num_cepstral'\?/);
  });
});
