import { z } from 'zod';
import type { ParamProblem } from '@tinyforge/sdk';

/**
 * learn/anomaly parameters. Defaults are Edge Impulse's K-means block (all axes, 32 clusters,
 * threshold 0.3); `method: 'gmm'` is a full-covariance Gaussian mixture scored by negative
 * log-likelihood.
 */
export const anomalyParams = z.object({
  axes: z.array(z.number().int().min(0)).min(1).optional().describe('Feature indices to use; all features when absent (EI "selectedAxes")'),
  logAxes: z
    .array(z.number().int().min(0))
    .min(1)
    .optional()
    .describe('Feature indices (among axes) replaced by log10 before scaling, e.g. per-axis RMS whose range spans decades across operating conditions; values must be > 0'),
  standardize: z.boolean().default(true).describe('Scale each axis to zero mean and unit variance over the normal train samples (EI does)'),
  method: z.enum(['kmeans', 'gmm']).default('kmeans').describe('kmeans: distance to the nearest cluster minus its radius (EI); gmm: negative log-likelihood under a full-covariance Gaussian mixture'),
  clusters: z.number().int().min(1).max(1024).default(32).describe('K-means clusters (EI "clusterCount")'),
  components: z.number().int().min(1).max(64).default(4).describe('GMM components'),
  regularization: z.number().min(0).default(1e-3).describe('GMM: added to the covariance diagonal (in scaled units) so it stays invertible'),
  threshold: z
    .number()
    .optional()
    .describe('Score above which a sample is anomalous; default 0.3 for kmeans (EI), 0 for gmm (less likely than every normal train sample)'),
  maxIterations: z.number().int().min(1).max(10_000).default(300).describe('K-means Lloyd / GMM EM iterations at most'),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  normalLabels: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('Labels of normal data: only train samples with one of them are fitted; test samples with other labels are the anomalies the metrics score. Default: every train sample is normal'),
});
export type AnomalyParams = z.output<typeof anomalyParams>;

export function checkAnomalyParams(p: AnomalyParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (p.axes && new Set(p.axes).size !== p.axes.length) problems.push({ path: 'axes', message: 'axes must not repeat' });
  if (p.logAxes && new Set(p.logAxes).size !== p.logAxes.length) problems.push({ path: 'logAxes', message: 'logAxes must not repeat' });
  if (p.logAxes && p.axes) {
    const outside = p.logAxes.filter((a) => !p.axes!.includes(a));
    if (outside.length > 0) problems.push({ path: 'logAxes', message: `logAxes ${outside.join(', ')} are not among axes` });
  }
  if (p.normalLabels && new Set(p.normalLabels).size !== p.normalLabels.length) problems.push({ path: 'normalLabels', message: 'normalLabels must not repeat' });
  return problems;
}
