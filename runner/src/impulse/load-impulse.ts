import { TinyforgeError, isSampleBlock, isSourceBlock, type FileSetReader, type Precision, type Predictor, type Sample, type SampleBlock, type WholeBlock } from '@tinyforge/sdk';
import type { Plan, PlannedBlock } from '../plan/plan-pipeline.js';
import { findStateRoot, openStore } from '../store/open-store.js';
import { readBlockState } from '../exec/run-state.js';

/** One per-sample step of the inference path (e.g. a DSP block) with its prepared state. */
export interface ImpulseStep {
  name: string;
  block: SampleBlock;
  params: unknown;
  state: unknown;
}

/**
 * The inference path of a pipeline, as Edge Impulse calls it: the per-sample blocks between the
 * ingest block and a learn block, plus that learn block's trained model. `tinyforge test` and
 * `eval` push raw samples through it exactly as the pipeline pushed the test category.
 */
export interface Impulse {
  pipeline: string;
  pipelineDir: string;
  source: PlannedBlock;
  steps: ImpulseStep[];
  learn: PlannedBlock;
  model: FileSetReader;
}

/** The blocks of an inference path, without its trained model: the plan alone decides them. */
export interface InferencePath {
  source: PlannedBlock;
  /** Per-sample blocks from the source to the learn block, in order. */
  chain: PlannedBlock[];
  learn: PlannedBlock;
}

export function inferencePath(plan: Plan, learnName?: string): InferencePath {
  const file = plan.pipeline.file;
  const candidates = plan.blocks.filter((b) => b.block.granularity === 'whole' && typeof (b.block as WholeBlock).loadPredictor === 'function');
  const learn = learnName ? candidates.find((b) => b.name === learnName) : candidates[0];
  if (!learn) {
    throw new TinyforgeError({ code: 'USAGE', file, message: learnName ? `"${learnName}" is not a learn block with a model that can classify` : 'the pipeline has no learn block that can classify (e.g. learn/classifier)' });
  }
  const byName = new Map(plan.blocks.map((b) => [b.name, b]));
  const chain: PlannedBlock[] = [];
  let current = learn;
  for (;;) {
    const inputs = Object.values(current.inputs);
    if (inputs.length !== 1) throw new TinyforgeError({ code: 'USAGE', file, block: current.name, message: 'the inference path must be a single chain of blocks from ingest to the learn block' });
    const upstream = byName.get(inputs[0]!.from)!;
    if (isSourceBlock(upstream.block)) return { source: upstream, chain: chain.reverse(), learn };
    if (!isSampleBlock(upstream.block)) {
      throw new TinyforgeError({ code: 'USAGE', file, block: upstream.name, message: 'is not a per-sample block, so raw samples cannot be pushed through it at inference' });
    }
    chain.push(upstream);
    current = upstream;
  }
}

export async function loadImpulse(plan: Plan, learnName?: string): Promise<Impulse> {
  const { source, chain, learn } = inferencePath(plan, learnName);
  const store = await openStore(findStateRoot(plan.pipeline.dir), process.env, { remote: true, projectDir: plan.pipeline.dir });
  const state = await readBlockState(store.layout.stateDir, plan.pipeline.config.name, learn.name);
  if (!state) throw new TinyforgeError({ code: 'USAGE', file: plan.pipeline.file, block: learn.name, message: 'has no trained model yet', hint: `run the pipeline first: tinyforge run ${plan.pipeline.dir}` });
  const output = Object.keys(learn.block.outputs)[0]!;
  const model = (await store.artifacts.reader(state.outputs[output]!)) as FileSetReader;
  const steps = chain.map((b) => {
    const block = b.block as SampleBlock;
    return { name: b.name, block, params: b.params, state: block.prepare?.(b.params as never, { pipelineDir: plan.pipeline.dir }) };
  });
  return { pipeline: plan.pipeline.config.name, pipelineDir: plan.pipeline.dir, source, steps, learn, model };
}

/** Runs the per-sample steps on one raw sample; a step may turn one sample into several windows. */
export async function featuresOf(impulse: Impulse, sample: Sample): Promise<Sample[]> {
  let current: Sample[] = [{ ...sample, category: 'test' }];
  for (const step of impulse.steps) {
    const next: Sample[] = [];
    for (const s of current) {
      const out = await step.block.runSample(s, { params: step.params as never, state: step.state, pipelineDir: impulse.pipelineDir });
      if (out) next.push(...(Array.isArray(out) ? out : [out]));
    }
    current = next;
  }
  return current;
}

export async function predictorOf(impulse: Impulse, precision: Precision): Promise<Predictor> {
  return (impulse.learn.block as WholeBlock).loadPredictor!(impulse.model, { precision });
}
