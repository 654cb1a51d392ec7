import { TinyforgeError } from '@tinyforge/sdk';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Sample } from '@tinyforge/sdk';
import { featuresOf } from '../impulse/load-impulse.js';
import { lastBundle, writeBundle } from './native-target.js';
import type { Classification, TestTarget } from './test-targets.js';

/** What the generated package's index.js exports (see targets/wasm/src/js-wrapper.ts). */
interface WasmPackage {
  load(): Promise<{
    classify(values: ArrayLike<number>): { scores: Record<string, number>; raw: Int8Array | Float32Array };
    properties(): { inputFeaturesCount: number; labels: readonly string[] };
  }>;
}

/** `wasm`: the deployed npm package (model.wasm + its ES module wrapper) run in this Node process. */
export const wasmTarget: TestTarget = {
  name: 'wasm',
  async open(impulse) {
    const bundle = await lastBundle(impulse, 'wasm');
    if (!bundle.files.some((f) => f.name === 'model.wasm')) {
      throw new TinyforgeError({ code: 'TEST_FAILED', message: 'the wasm bundle has no model.wasm: it was generated without a wasm32 toolchain (see its build.sh; apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)' });
    }
    const dir = await mkdtemp(join(tmpdir(), 'tinyforge-wasm-'));
    await writeBundle(bundle, dir);
    const pkg = (await import(pathToFileURL(join(dir, 'index.js')).href)) as WasmPackage;
    const classifier = await pkg.load();
    const { inputFeaturesCount, labels } = classifier.properties();
    return {
      async classify(sample: Sample): Promise<Classification> {
        let values = sample.values;
        if (values.length !== inputFeaturesCount) values = (await featuresOf(impulse, sample))[0]?.values ?? values; // no DSP in the module
        if (values.length !== inputFeaturesCount) throw new Error(`the wasm module takes ${inputFeaturesCount} values, the sample has ${sample.values.length}`);
        const result = classifier.classify(values);
        const scores = Float32Array.from(labels, (l) => result.scores[l] ?? 0);
        return result.raw instanceof Int8Array ? { scores, raw: result.raw } : { scores };
      },
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
};
