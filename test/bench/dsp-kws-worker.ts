/** Worker of dsp-kws.ts: runs dsp/mfcc (defaults) over its clips when told "go". */
import { parentPort } from 'node:worker_threads';
import type { Sample } from '@tinyforge/sdk';
import mfcc from '../../blocks/src/dsp/mfcc/index.js';

const port = parentPort!;
const params = mfcc.params.parse({});
const state = mfcc.prepare!(params);
const ctx = { params, state, pipelineDir: '.' } as never;

port.once('message', (m: { clips: { values: Float32Array; intervalMs: number }[] }) => {
  const samples: Sample[] = m.clips.map((c, i) => ({
    id: `kws#${i}`, label: 'x', category: 'train', intervalMs: c.intervalMs, values: c.values, sensors: [{ name: 'audio', units: 'wav' }],
  }));
  const run = (): number => {
    let features = 0;
    for (const s of samples) features += (mfcc.runSample(s, ctx) as Sample).values.length;
    return features;
  };
  run(); // warm-up: the JIT compiles the kernel on the worker's own clips
  port.once('message', () => port.postMessage({ features: run() }));
  port.postMessage('ready');
});
