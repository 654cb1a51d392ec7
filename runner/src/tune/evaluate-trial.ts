import type { FileSetReader, SampleSetReader } from '@tinyforge/sdk';
import type { ModelIR } from '@tinyforge/blocks/learn/ir/types';
import type { RunManifest } from '../exec/run-pipeline.js';
import type { Plan } from '../plan/plan-pipeline.js';
import type { Store } from '../store/open-store.js';
import { dspFacts, networkFacts, type DspFacts, type NetworkFacts } from './model-facts.js';

/** What one finished trial produced, read from its model artifact. */
export interface TrialModel {
  modelDigest: string;
  model: FileSetReader;
  /** Accuracy in percent, per split, of the tuned precision. */
  accuracy: { validation: number | null; test: number | null };
  epochs: number | null;
  net: NetworkFacts;
  dsp?: DspFacts;
}

interface SplitMetrics {
  accuracy: number;
}
type Metrics = Record<'float32' | 'int8', { validation?: SplitMetrics; test?: SplitMetrics } | undefined>;

type EmitC = (params: unknown, input: { frames: number; axes: number; frequency?: number }) => { sources: Record<string, string>; outputSize: number; ramBytes: number };

export async function evaluateTrial(plan: Plan, learnName: string, manifest: RunManifest, store: Store, precision: 'int8' | 'float32'): Promise<TrialModel> {
  const learn = manifest.blocks.find((b) => b.name === learnName)!;
  const digest = Object.values(learn.outputs)[0]!;
  const model = (await store.artifacts.reader(digest)) as FileSetReader;
  const metrics = await model.readJson<Metrics>('metrics.json');
  const m = metrics[precision];
  const pct = (v: SplitMetrics | undefined) => (v ? Math.round(v.accuracy * 10000) / 100 : null);
  const ir = await model.readJson<ModelIR>(`ir.${precision}.json`);
  const result: TrialModel = {
    modelDigest: digest,
    model,
    accuracy: { validation: pct(m?.validation), test: pct(m?.test) },
    epochs: typeof model.meta['epochs'] === 'number' ? (model.meta['epochs'] as number) : null,
    net: networkFacts(ir),
  };
  const dsp = await dspOf(plan, manifest, store, ir);
  if (dsp) result.dsp = dsp;
  return result;
}

/** The DSP block the model was trained on (recorded in the IR), costed from its C emission. */
async function dspOf(plan: Plan, manifest: RunManifest, store: Store, ir: ModelIR): Promise<DspFacts | undefined> {
  const recorded = ir.dsp as { block?: string; params?: Record<string, unknown> } | null;
  if (!recorded?.block || !recorded.params) return undefined;
  const planned = plan.blocks.find((b) => b.block.id === recorded.block);
  if (!planned) return undefined;
  const input = Object.values(planned.inputs)[0];
  const upstreamDigest = input ? manifest.blocks.find((b) => b.name === input.from)?.outputs[input.output] : undefined;
  let frames = 0;
  let axes = 1;
  let frequency = 0;
  if (upstreamDigest) {
    const samples = (await store.artifacts.reader(upstreamDigest)) as SampleSetReader;
    const first = samples.samples[0];
    if (first) {
      const s = await samples.read(first);
      axes = Math.max(1, s.sensors.length);
      frames = s.values.length / axes;
      frequency = s.intervalMs > 0 ? 1000 / s.intervalMs : 0;
    }
  }
  const emitC = (planned.block as unknown as { emitC?: EmitC }).emitC;
  let emission: ReturnType<EmitC> | undefined;
  try {
    emission = emitC && frames > 0 ? emitC(recorded.params, { frames, axes, ...(frequency ? { frequency } : {}) }) : undefined;
  } catch {
    emission = undefined; // a block that cannot emit C is costed from its params alone
  }
  return dspFacts(recorded.block, recorded.params, emission, { frames, frequency });
}
