import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = join(REPO_ROOT, 'runner/bin/tinyforge.js');
const KWS = join(REPO_ROOT, 'pipelines/kws');

/**
 * A small keyword-spotting project outside the repo (own git root, so its own `.tinyforge`):
 * `perLabel` clips of each label from pipelines/kws/data, the shipped noise cuts, a pipeline.ts
 * (ingest → MFCC → classifier) and the given tune.json.
 */
export function createKwsProject(opts: { perLabel: number; epochs: number; tune?: unknown; calibrate?: unknown }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-tune-'));
  execFileSync('git', ['init', '-q', dir]);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(REPO_ROOT, 'node_modules/@tinyforge'), join(dir, 'node_modules/@tinyforge'));
  symlinkSync(join(REPO_ROOT, 'node_modules/zod'), join(dir, 'node_modules/zod'));
  for (const label of ['yes', 'no', '_unknown_', '_silence_']) {
    mkdirSync(join(dir, 'data', label), { recursive: true });
    const files = readdirSync(join(KWS, 'data', label)).filter((f) => f.endsWith('.wav')).sort();
    for (const f of files.slice(0, opts.perLabel)) copyFileSync(join(KWS, 'data', label, f), join(dir, 'data', label, f));
  }
  mkdirSync(join(dir, 'noise'));
  for (const f of readdirSync(join(KWS, 'noise')).filter((f) => f.endsWith('.wav'))) copyFileSync(join(KWS, 'noise', f), join(dir, 'noise', f));
  writeFileSync(
    join(dir, 'pipeline.ts'),
    `import { definePipeline } from '@tinyforge/sdk';

// Tiny KWS for the tune tests.
export default definePipeline({
  name: 'kws-tiny',
  blocks: {
    ingest: {
      block: 'ingest/files@1',
      params: { directory: 'data', extensions: ['.wav'], split: { from: 'hash', by: 'group', groupPattern: '([0-9a-f]{8})_nohash_', testRatio: 0.25 } },
    },
    mfcc: { block: 'dsp/mfcc@1', params: { num_filters: 32 }, inputs: { samples: 'ingest' } },
    classifier: {
      block: 'learn/classifier@1',
      params: { preset: 'ei-conv1d-audio', epochs: ${opts.epochs}, learningRate: 0.005, batchSize: 16, validationSplit: 0.2, seed: 1 },
      inputs: { features: 'mfcc' },
    },
  },
});
`,
  );
  if (opts.tune) writeFileSync(join(dir, 'tune.json'), JSON.stringify(opts.tune, null, 2));
  if (opts.calibrate) writeFileSync(join(dir, 'calibrate.json'), JSON.stringify(opts.calibrate, null, 2));
  return dir;
}
