import type { Sample } from '@tinyforge/sdk';
import { featuresOf, predictorOf, type Impulse } from '../impulse/load-impulse.js';

/** One classification of a raw sample by one implementation of the impulse. */
export interface Classification {
  scores: Float32Array;
  /** The int8 output tensor: every target must give exactly the reference's. */
  raw?: Int8Array;
}

/** An implementation the stored test cases run on: the TS reference, a native build, WASM, QEMU. */
export interface TestTarget {
  name: string;
  open(impulse: Impulse): Promise<{ classify(sample: Sample): Promise<Classification>; close(): Promise<void> }>;
}

/** The TypeScript reference: pipeline DSP blocks + the int8 reference interpreter. */
export const referenceTarget: TestTarget = {
  name: 'ts',
  async open(impulse) {
    const predictor = await predictorOf(impulse, 'int8');
    return {
      async classify(sample) {
        const windows = await featuresOf(impulse, sample);
        if (windows.length !== 1) throw new Error(`the inference path made ${windows.length} feature vectors from one test case; expected 1`);
        return predictor.predict(windows[0]!.values);
      },
      close: async () => {},
    };
  },
};

/** Targets by name: the reference plus the deployed libraries (loaded only when asked for). */
export const testTargets = new Map<string, TestTarget>([
  [referenceTarget.name, referenceTarget],
  ['cpp', lazyTarget('cpp', async () => (await import('./native-target.js')).nativeTarget)],
  ['wasm', lazyTarget('wasm', async () => (await import('./wasm-target.js')).wasmTarget)],
  ['m4', lazyTarget('m4', async () => (await import('./m4-target.js')).m4Target)],
]);

function lazyTarget(name: string, load: () => Promise<TestTarget>): TestTarget {
  return { name, open: async (impulse) => (await load()).open(impulse) };
}
