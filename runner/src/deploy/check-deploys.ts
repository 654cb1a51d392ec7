import { TinyforgeError, TinyforgeErrors } from '@tinyforge/sdk';
import type { Plan } from '../plan/plan-pipeline.js';
import { inferencePath } from '../impulse/load-impulse.js';
import { zodIssuesToErrors } from '../config/zod-issues.js';
import { missingEmitC } from '../plugins/check-emit-c.js';
import { resolveTarget, targetCatalog } from './target-catalog.js';
import { deployedAnomalyBlock } from './anomaly-block.js';

/**
 * Plan-time checks of the `deploy` section, before any block runs: the target exists, its params
 * fit its schema, the model block can classify, and every DSP block on the way can be compiled
 * for a device (has `emitC`). All problems at once.
 */
export async function checkDeploys(plan: Plan): Promise<void> {
  const deploys = plan.pipeline.config.deploy ?? {};
  if (Object.keys(deploys).length === 0) return;
  const file = plan.pipeline.file;
  const errors: TinyforgeError[] = [];
  const catalog = targetCatalog(plan.pipeline.dir);
  for (const [name, cfg] of Object.entries(deploys)) {
    try {
      const { target } = await resolveTarget(cfg.target, catalog, { file, name });
      const parsed = target.params.safeParse(cfg.params ?? {}, { reportInput: true });
      if (!parsed.success) errors.push(...zodIssuesToErrors(parsed.error.issues, cfg.params ?? {}, { code: 'PARAMS_INVALID', file, pathPrefix: `deploy.${name}.params` }));
      const path = inferencePath(plan, cfg.model);
      errors.push(...missingEmitC(path.chain, file));
      deployedAnomalyBlock(plan, path.learn, cfg.anomaly, { file, deploy: name });
    } catch (error) {
      if (error instanceof TinyforgeError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length > 0) throw errors.length === 1 ? errors[0]! : new TinyforgeErrors(errors);
}
