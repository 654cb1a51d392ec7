import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TinyforgeError, isTinyforgeError, type AnyTarget, type CEmission, type FileSetReader, type JsonObject, type SampleSetReader, type TargetDspBlock } from '@tinyforge/sdk';
import type { Plan, PlannedBlock } from '../plan/plan-pipeline.js';
import { inferencePath } from '../impulse/load-impulse.js';
import { zodIssuesToErrors } from '../config/zod-issues.js';
import type { Store } from '../store/open-store.js';
import { ACTION_RESULT_FORMAT } from '../store/action-cache.js';
import { KEY_FORMAT, keyOf } from '../exec/action-key.js';
import { sha256 } from '../util/hash.js';
import { resolveTarget, targetCatalog } from './target-catalog.js';
import { deployedAnomalyBlock } from './anomaly-block.js';

export interface DeployOutcome {
  name: string;
  target: string;
  version: string;
  actionKey: string | null;
  status: 'cached' | 'ran' | 'failed';
  ms: number;
  out: string;
  bundle?: string;
  error?: string;
  errorExitCode?: 1 | 2;
}

/**
 * Runs the pipeline's deployments after its blocks: each target gets the learn block's model and
 * the DSP blocks of the inference path. A deployment is a cached action like a block (key: target
 * id@version, params, model digest, DSP blocks and params); its files are stored as a bundle
 * artifact and written to its `out` folder (replaced as a whole, never half-written).
 */
export async function runDeploys(plan: Plan, outputs: Map<string, Record<string, string>>, store: Store, options: DeployOptions): Promise<DeployOutcome[]> {
  const deploys = Object.entries(plan.pipeline.config.deploy ?? {});
  if (deploys.length === 0) return [];
  const catalog = targetCatalog(plan.pipeline.dir);
  const outs = deploys.map(([name, cfg]) => outFolder(plan, store, name, cfg));
  // Deployments are independent (own key, own out folder): they run side by side, so their
  // toolchain queries (identity) and cache checks overlap; results keep the config's order.
  return Promise.all(
    deploys.map(([name, cfg], i) => {
      const other = outs.indexOf(outs[i]!);
      if (other !== i) return Promise.resolve(sharedOutFailure(plan, name, cfg, outs[i]!, deploys[other]![0]));
      return runDeploy(plan, name, cfg, outs[i]!, catalog, outputs, store, options);
    }),
  );
}

type DeployConfig = NonNullable<Plan['pipeline']['config']['deploy']>[string];
type DeployOptions = { force: boolean; signal: AbortSignal; log: (line: string) => void };

/** Default: inside the state folder, so runs with other params or another TINYFORGE_HOME never overwrite each other's libraries; `out` puts them where firmware builds expect them. */
function outFolder(plan: Plan, store: Store, name: string, cfg: DeployConfig): string {
  return cfg.out ? resolve(plan.pipeline.dir, cfg.out) : join(store.layout.root, 'deploy', plan.pipeline.config.name, name);
}

/** Two deployments writing one folder would replace each other's files (now at the same time). */
function sharedOutFailure(plan: Plan, name: string, cfg: DeployConfig, out: string, first: string): DeployOutcome {
  const error = new TinyforgeError({
    code: 'CONFIG_INVALID',
    file: plan.pipeline.file,
    path: `deploy.${name}.out`,
    message: `writes to ${out}, the folder deployment "${first}" writes to`,
    hint: 'give each deployment its own out folder',
  });
  return { name: `deploy:${name}`, target: cfg.target, version: '', actionKey: null, status: 'failed', ms: 0, out, error: error.format(), errorExitCode: error.exitCode };
}

/** One deployment: never throws, a failure is its outcome. */
async function runDeploy(
  plan: Plan,
  name: string,
  cfg: DeployConfig,
  out: string,
  catalog: ReturnType<typeof targetCatalog>,
  outputs: Map<string, Record<string, string>>,
  store: Store,
  options: DeployOptions,
): Promise<DeployOutcome> {
  const started = performance.now();
  const base: DeployOutcome = { name: `deploy:${name}`, target: cfg.target, version: '', actionKey: null, status: 'failed', ms: 0, out };
  try {
    const { target, entry } = await resolveTarget(cfg.target, catalog, { file: plan.pipeline.file, name });
    base.target = target.id;
    base.version = target.version;
    const parsed = target.params.safeParse(cfg.params ?? {}, { reportInput: true });
    if (!parsed.success) {
      const errors = zodIssuesToErrors(parsed.error.issues, cfg.params ?? {}, { code: 'PARAMS_INVALID', file: plan.pipeline.file, pathPrefix: `deploy.${name}.params` });
      throw errors[0]!;
    }
    const path = inferencePath(plan, cfg.model);
    const modelDigest = outputs.get(path.learn.name)?.[Object.keys(path.learn.block.outputs)[0]!];
    if (!modelDigest) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `block "${path.learn.name}" has no model from this run` });
    const dsp = await dspBlocks(plan, path.chain, outputs, store);
    const anomaly = await anomalyModel(deployedAnomalyBlock(plan, path.learn, cfg.anomaly, { file: plan.pipeline.file, deploy: name }), cfg.anomaly !== undefined, outputs, store);
    const identity = await target.identity?.(parsed.data, { signal: options.signal });
    const record: JsonObject = {
      keyFormat: KEY_FORMAT,
      target: `${target.id}@${target.version}`,
      source: entry.source,
      params: JSON.parse(JSON.stringify(parsed.data)) as JsonObject,
      model: modelDigest,
      ...(anomaly ? { anomaly: anomaly.digest } : {}),
      dsp: dsp.map((d) => ({ name: d.name, block: `${d.block.id}@${d.block.version}`, params: d.params, outputMeta: d.outputMeta, ...(d.input ? { input: d.input } : {}), c: emittedCDigest(d) })),
      pipeline: { name: plan.pipeline.config.name, version: plan.pipeline.config.version ?? null },
      ...(identity ? { identity } : {}),
    };
    const actionKey = keyOf(record);
    base.actionKey = actionKey;
    let bundle = options.force ? undefined : (await store.actionCache.get(actionKey))?.outputs.bundle;
    if (bundle && !(await store.cas.has(bundle))) bundle = undefined;
    const status = bundle ? 'cached' : 'ran';
    if (!bundle) {
      bundle = await emitBundle(target, parsed.data, store, { model: (await store.artifacts.reader(modelDigest)) as FileSetReader, ...(anomaly ? { anomaly } : {}), dsp, plan, signal: options.signal, log: (m) => options.log(`${name}: ${m}`) });
      await store.actionCache.put({ format: ACTION_RESULT_FORMAT, actionKey, keyRecord: record, outputs: { bundle }, ms: Math.round(performance.now() - started), finishedAt: new Date().toISOString(), counters: { samplesComputed: 0, samplesCached: 0 }, logs: [] });
    }
    await materialize((await store.artifacts.reader(bundle)) as FileSetReader, out);
    return { ...base, status, bundle, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const message = isTinyforgeError(error) ? (error as TinyforgeError).format() : String((error as Error)?.stack ?? error);
    return { ...base, ms: Math.round(performance.now() - started), error: message, errorExitCode: isTinyforgeError(error) ? (error as TinyforgeError).exitCode : 1 };
  }
}

/**
 * Digest of the C a DSP block emits for this deployment: a better emitter (same block version,
 * same features) must still rebuild the libraries that embed its code.
 */
function emittedCDigest(d: TargetDspBlock): string | null {
  const emitC = (d.block as { emitC?: (params: unknown, input: { frames: number; axes: number; frequency?: number }) => CEmission }).emitC;
  if (!emitC || !d.input) return null;
  try {
    const e = emitC(d.params, d.input);
    return sha256(JSON.stringify([e.header, Object.entries(e.sources).sort()]));
  } catch {
    return null; // the target reports why it cannot compile this block
  }
}

/** The anomaly block's model artifact, if its meta says it is one (a named block must be). */
async function anomalyModel(block: PlannedBlock | undefined, named: boolean, outputs: Map<string, Record<string, string>>, store: Store): Promise<FileSetReader | undefined> {
  if (!block) return undefined;
  const digest = outputs.get(block.name)?.[Object.keys(block.block.outputs)[0]!];
  if (!digest) throw new TinyforgeError({ code: 'BLOCK_FAILED', block: block.name, message: 'has no model from this run' });
  const reader = (await store.artifacts.reader(digest)) as FileSetReader;
  if (reader.meta?.['task'] === 'anomaly') return reader;
  if (named) throw new TinyforgeError({ code: 'CONFIG_INVALID', block: block.name, message: "its model is not an anomaly model (meta.task is not 'anomaly')" });
  return undefined;
}

async function dspBlocks(plan: Plan, chain: Plan['blocks'], outputs: Map<string, Record<string, string>>, store: Store): Promise<TargetDspBlock[]> {
  const out: TargetDspBlock[] = [];
  for (const b of chain.filter((c) => c.block.kind === 'dsp')) {
    const digest = outputs.get(b.name)?.[Object.keys(b.block.outputs)[0]!];
    const reader = digest ? ((await store.artifacts.reader(digest)) as SampleSetReader) : undefined;
    const inputRef = Object.values(b.inputs)[0];
    const inputDigest = inputRef ? outputs.get(inputRef.from)?.[inputRef.output] : undefined;
    let input: TargetDspBlock['input'];
    if (inputDigest) {
      const inputs = (await store.artifacts.reader(inputDigest)) as SampleSetReader;
      const first = inputs.samples[0] ? await inputs.read(inputs.samples[0]) : undefined;
      if (first && first.intervalMs > 0) {
        const axes = first.sensors.length || 1;
        input = { frames: first.values.length / axes, axes, frequency: 1000 / first.intervalMs };
      }
    }
    out.push({ name: b.name, block: b.block, params: JSON.parse(JSON.stringify(b.params)) as JsonObject, outputMeta: reader?.meta ?? {}, ...(input ? { input } : {}) });
  }
  void plan;
  return out;
}

async function emitBundle(
  target: AnyTarget,
  params: unknown,
  store: Store,
  ctx: { model: FileSetReader; anomaly?: FileSetReader; dsp: TargetDspBlock[]; plan: Plan; signal: AbortSignal; log: (m: string) => void },
): Promise<string> {
  const writer = store.artifacts.fileSetWriter('bundle');
  await target.emit({
    params,
    model: ctx.model,
    ...(ctx.anomaly ? { anomaly: ctx.anomaly } : {}),
    dsp: ctx.dsp,
    output: {
      writeFile: (rel, data) => writer.writeFile(checkRelPath(rel), data),
      writeJson: (rel, value) => writer.writeFile(checkRelPath(rel), JSON.stringify(value, null, 2)),
    },
    pipeline: { name: ctx.plan.pipeline.config.name, ...(ctx.plan.pipeline.config.version ? { version: ctx.plan.pipeline.config.version } : {}) },
    log: { info: ctx.log, warn: (m) => ctx.log(`warning: ${m}`), debug: () => {} },
    signal: ctx.signal,
  });
  writer.setMeta({ target: `${target.id}@${target.version}` });
  return writer.finish();
}

function checkRelPath(rel: string): string {
  if (rel.startsWith('/') || rel.split('/').includes('..')) throw new TinyforgeError({ code: 'PLUGIN', message: `a target wrote outside its folder: ${rel}` });
  return rel;
}

/** Writes a bundle to a folder: built beside it, then swapped in, so the folder is never half old, half new. */
async function materialize(bundle: FileSetReader, out: string): Promise<void> {
  const temp = `${out}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  for (const f of bundle.files) {
    const path = join(temp, f.name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await bundle.readFile(f.name));
  }
  await mkdir(dirname(out), { recursive: true });
  await rm(out, { recursive: true, force: true });
  await rename(temp, out);
}
