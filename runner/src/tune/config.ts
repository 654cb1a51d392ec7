import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { TinyforgeError } from '@tinyforge/sdk';
import { zodIssuesToErrors } from '../config/zod-issues.js';

/** `<block>.<param>[.<sub>…]`, as for `--set`. */
const paramPath = z.string().regex(/^[^.=\s]+(\.[^.=\s]+)+$/, 'expected <block>.<param>');

export const tuneConfigSchema = z.object({
  /** Candidate values per param path; a trial picks one value for each. */
  space: z.record(z.string(), z.array(z.unknown()).min(1)),
  constraints: z
    .object({
      flashBytes: z.number().positive().optional(),
      ramBytes: z.number().positive().optional(),
      /** Latency of DSP + network, at `clockMhz` and `cyclesPerInstruction`. */
      latencyMs: z.number().positive().optional(),
      clockMhz: z.number().positive().default(80),
      /** Cortex-M4 runs most integer code near one cycle per instruction; wait states make it more. */
      cyclesPerInstruction: z.number().positive().default(1),
    })
    .default({ clockMhz: 80, cyclesPerInstruction: 1 }),
  /** Weights of the score: accuracy in points minus penalties per KB / per ms (0 = ignore). */
  objective: z
    .object({
      accuracy: z.number().min(0).default(1),
      latencyMsWeight: z.number().min(0).default(0),
      ramKbWeight: z.number().min(0).default(0),
      flashKbWeight: z.number().min(0).default(0),
    })
    .default({ accuracy: 1, latencyMsWeight: 0, ramKbWeight: 0, flashKbWeight: 0 }),
  /** Which accuracy ranks trials: validation (honest) or test. */
  rankOn: z.enum(['validation', 'test']).default('validation'),
  precision: z.enum(['int8', 'float32']).default('int8'),
  strategy: z.enum(['random', 'hyperband']).default('hyperband'),
  /** Configurations to try (distinct points of the space). */
  trials: z.number().int().positive().default(12),
  /** Stop starting new trials after this many seconds. */
  timeSeconds: z.number().positive().optional(),
  parallel: z.number().int().positive().default(2),
  seed: z.number().int().default(1),
  /** Successive halving: the training-length param, its smallest and full value, and the cut factor. */
  fidelity: z
    .object({ param: paramPath.default('classifier.epochs'), min: z.number().int().positive(), max: z.number().int().positive(), eta: z.number().int().min(2).default(3) })
    .optional(),
  /** Real measurements (C++ target, QEMU) used to fit the estimator; 0 = analytical only. */
  measure: z.number().int().min(0).default(4),
  /** Deployments per trial: only the cpp target's on cortex-m4 (it measures the trial), none, or all. */
  deploys: z.enum(['measure', 'none', 'all']).default('measure'),
  /** The learn block whose model is tuned (default: the first one that classifies). */
  learnBlock: z.string().optional(),
});
export type TuneConfig = z.output<typeof tuneConfigSchema>;
export type TuneConfigInput = z.input<typeof tuneConfigSchema>;

export const TUNE_FILE_NAMES = ['tune.ts', 'tune.mts', 'tune.js', 'tune.mjs', 'tune.json', 'tune.yaml', 'tune.yml'];

/** Finds `tune.*` beside the pipeline file. */
export function findTuneFile(pipelineDir: string): string | undefined {
  return TUNE_FILE_NAMES.map((n) => join(pipelineDir, n)).find((f) => existsSync(f));
}

export async function loadTuneConfig(file: string): Promise<TuneConfig> {
  const raw = await readRaw(file);
  const parsed = tuneConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const errors = zodIssuesToErrors(parsed.error.issues, raw, { code: 'CONFIG_INVALID', file });
    throw errors[0]!;
  }
  const c = parsed.data;
  for (const key of Object.keys(c.space)) {
    if (!paramPath.safeParse(key).success) throw new TinyforgeError({ code: 'CONFIG_INVALID', file, path: `space.${key}`, message: `expected <block>.<param>[.<sub>…] as for --set, found "${key}"` });
  }
  if (c.fidelity && c.fidelity.min > c.fidelity.max) {
    throw new TinyforgeError({ code: 'CONFIG_INVALID', file, path: 'fidelity.min', message: `min (${c.fidelity.min}) is above max (${c.fidelity.max})` });
  }
  return c;
}

async function readRaw(file: string): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.json') return JSON.parse(await readFile(file, 'utf8'));
    if (ext === '.yaml' || ext === '.yml') return (await import('yaml')).parse(await readFile(file, 'utf8'));
    const { createJiti } = await import('jiti');
    return await createJiti(import.meta.url, { interopDefault: true, moduleCache: false }).import(file, { default: true });
  } catch (error) {
    throw new TinyforgeError({ code: 'CONFIG_LOAD', file, message: `cannot load: ${(error as Error).message.split('\n')[0]}` });
  }
}
