import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { TinyforgeError } from '@tinyforge/sdk';
import { resolvePipelineFile } from '../config/load-pipeline.js';
import { zodIssuesToErrors } from '../config/zod-issues.js';
import { findStateRoot } from '../store/open-store.js';
import { atomicWrite } from '../util/atomic-write.js';
import { calibrate, calibrateConfigSchema, type CalibrationResult } from './calibrate.js';

/** `tinyforge calibrate`: writes `.tinyforge/calibration/<pipeline>.json`; exit 1 when the FRR target is not reached. */
export async function calibrateCommand(target: string, opts: { config?: string; json?: boolean; save?: string | boolean }): Promise<number> {
  const pipelineFile = resolvePipelineFile(target);
  const configFile = opts.config ?? join(pipelineFile, '..', 'calibrate.json');
  let raw: unknown = {};
  if (existsSync(configFile)) {
    try {
      raw = JSON.parse(await readFile(configFile, 'utf8'));
    } catch (e) {
      throw new TinyforgeError({ code: 'CONFIG_LOAD', file: configFile, message: `cannot parse: ${(e as Error).message}` });
    }
  } else if (opts.config) throw new TinyforgeError({ code: 'USAGE', file: configFile, message: 'no such file' });
  const parsed = calibrateConfigSchema.safeParse(raw);
  if (!parsed.success) throw zodIssuesToErrors(parsed.error.issues, raw, { code: 'CONFIG_INVALID', file: configFile })[0]!;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const result = await calibrate(pipelineFile, parsed.data, controller.signal);
    const out = join(findStateRoot(join(pipelineFile, '..')), 'calibration', `${result.pipeline}.json`);
    await mkdir(join(out, '..'), { recursive: true });
    await atomicWrite(out, JSON.stringify(result, null, 2), { fsync: true });
    // The deployable part, for git: exactly the cpp target's `continuous` params.
    const saved = opts.save ? resolve(typeof opts.save === 'string' ? opts.save : join(pipelineFile, '..', 'continuous.json')) : undefined;
    if (saved) await atomicWrite(saved, `${JSON.stringify(continuousParams(result), null, 2)}\n`, { fsync: true });
    if (opts.json) process.stdout.write(`${JSON.stringify({ ...result, file: out, ...(saved ? { saved } : {}) }, null, 2)}\n`);
    else {
      const p = result.params;
      process.stdout.write(
        [
          `stream: ${(result.stream.durationMs / 60000).toFixed(1)} min, ${result.stream.events} clips, ${result.stream.inferences} inferences (window ${result.windowMs} ms, stride ${result.strideMs} ms)`,
          `chosen: averageWindowMs ${p.averageWindowMs}, detectionThreshold ${p.detectionThreshold}, suppressionMs ${p.suppressionMs}`,
          ...Object.entries(result.result.perLabel).map(([l, s]) => `  ${l}: FRR ${(s.frr * 100).toFixed(1)} % (${s.falseNegatives}/${s.events} missed), ${s.farPerHour.toFixed(1)} false activations/h`),
          `false activations: ${result.result.farPerHour.toFixed(1)}/h; worst FRR ${(result.result.maxFrr * 100).toFixed(1)} % (target ≤ ${(result.targetFrr * 100).toFixed(0)} %${result.meetsTarget ? '' : ': NOT reached'})`,
          `written: ${relative(process.cwd(), out)}`,
          ...(saved ? [`continuous params: ${relative(process.cwd(), saved)} (deploy.<name>.params.continuous of the cpp target)`] : []),
        ].join('\n') + '\n',
      );
    }
    return result.meetsTarget ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** The calibration as the cpp target's `continuous` params (targets/cpp: strideMs … keywords). */
export function continuousParams(result: CalibrationResult): { strideMs: number; averageWindowMs: number; detectionThreshold: number; suppressionMs: number; keywords: string[] } {
  return { strideMs: result.strideMs, averageWindowMs: result.params.averageWindowMs, detectionThreshold: result.params.detectionThreshold, suppressionMs: result.params.suppressionMs, keywords: result.keywords };
}
