import { TinyforgeError, type WholeBlock } from '@tinyforge/sdk';
import type { Plan, PlannedBlock } from '../plan/plan-pipeline.js';

/**
 * The anomaly model deployed beside a classifier (Edge Impulse's impulses carry both): a learn
 * block that reads the very features artifact the classifier reads, so one DSP pass feeds both.
 * Named in `deploy.<name>.anomaly`, or found: the single such block that cannot classify.
 */
export function deployedAnomalyBlock(plan: Plan, classifier: PlannedBlock, choice: string | false | undefined, where: { file: string; deploy: string }): PlannedBlock | undefined {
  if (choice === false) return undefined;
  const features = Object.values(classifier.inputs)[0];
  const readsSameFeatures = (b: PlannedBlock): boolean => {
    const inputs = Object.values(b.inputs);
    return inputs.length === 1 && inputs[0]!.from === features?.from && inputs[0]!.output === features?.output;
  };
  if (choice === undefined) {
    const found = plan.blocks.filter((b) => b !== classifier && b.block.kind === 'learn' && typeof (b.block as WholeBlock).loadPredictor !== 'function' && readsSameFeatures(b));
    return found.length === 1 ? found[0] : undefined;
  }
  const path = `deploy.${where.deploy}.anomaly`;
  const block = plan.blocks.find((b) => b.name === choice);
  if (!block) throw new TinyforgeError({ code: 'CONFIG_INVALID', file: where.file, path, message: `"${choice}" is not a block of this pipeline`, expected: plan.blocks.filter((b) => b.block.kind === 'learn' && b !== classifier).map((b) => b.name).join(', ') || 'a learn block' });
  if (block.block.kind !== 'learn') throw new TinyforgeError({ code: 'CONFIG_INVALID', file: where.file, path, message: `"${choice}" is a ${block.block.kind} block, not a learn block` });
  if (!readsSameFeatures(block)) {
    throw new TinyforgeError({ code: 'CONFIG_INVALID', file: where.file, path, message: `"${choice}" must read the same features as "${classifier.name}" (${features?.from ?? '?'}) so one DSP pass feeds both on the device`, found: Object.values(block.inputs).map((i) => i.from).join(', ') });
  }
  return block;
}
