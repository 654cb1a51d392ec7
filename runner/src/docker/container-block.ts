import { chmod, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  TinyforgeError,
  type AnyBlock,
  type Logger,
  type ContainerLimits,
  type ContainerRuntime,
  type JsonValue,
  type WholeBlock,
  pendingIdentity,
} from '@tinyforge/sdk';
import { resolveImage } from './image.js';
import { grantWrite, runContainer, settleRemovals, type ContainerMount } from './run-container.js';
import { LIMITS_PARAM } from './ei-parameters.js';
import { DSP_PORT, runDspProtocol } from './protocol-dsp.js';
import { runLearnProtocol } from './protocol-learn.js';
import { runTransformProtocol } from './protocol-transform.js';
import { startService } from './service-container.js';
import { IN_DIR, OUT_DIR, type ContainerRunner } from './contract.js';

/** Defaults when neither the block nor the pipeline sets a limit. */
export const DEFAULT_LIMITS: Required<ContainerLimits> = { timeoutSec: 1800, memoryMb: 2048, cpus: Math.max(1, availableParallelism()) };

/** Bumped when the way inputs are laid out or outputs read changes: it enters the action key. */
const PROTOCOL_VERSION = 1;
/** How long a DSP server may take to answer on its port once its container runs. */
const DSP_READY_TIMEOUT_SEC = 60;
/** A resolved image is reused by run() when identity() resolved it this recently (same block run). */
const RESOLVED_REUSE_MS = 60_000;

/** How inputs and outputs reach the container (`edge-impulse-dsp`: an HTTP server, protocol-dsp.ts). */
type Protocol = NonNullable<ContainerRuntime['protocol']>;
const PROTOCOL_BY_KIND: Partial<Record<WholeBlock['kind'], Protocol>> = { learn: 'edge-impulse-learn', transform: 'edge-impulse-transform', dsp: 'edge-impulse-dsp' };

/** What an Edge Impulse DSP block's parameters.json says about its server. */
export interface DspServerInfo {
  port?: number;
  implementationVersion?: number;
  namedAxes?: string[];
}

export type ArgsOf = (params: Record<string, unknown>) => { args: string[]; env: Record<string, string> };

export function isContainerBlock(block: AnyBlock): block is WholeBlock & { runtime: ContainerRuntime } {
  return block.granularity === 'whole' && typeof block.runtime === 'object' && block.runtime !== null;
}

const runnable = new WeakSet<object>();

/**
 * Turns a declared container block into one the runner can run: `identity` resolves (builds)
 * the image and returns its ID for the action key; `run` lays the inputs out, runs the
 * container hermetically and reads the outputs back.
 */
export function runnableContainerBlock(block: WholeBlock & { runtime: ContainerRuntime }, options: { argsOf?: ArgsOf; baseDir?: string; dsp?: DspServerInfo } = {}): WholeBlock {
  if (runnable.has(block)) return block;
  const runtime = block.runtime;
  const protocol: Protocol | undefined = runtime.protocol ?? PROTOCOL_BY_KIND[block.kind];
  if (!protocol) throw new TinyforgeError({ code: 'PLUGIN', message: `${block.id}: container blocks of kind "${block.kind}" need runtime.protocol` });
  if (!runtime.image && !runtime.context) throw new TinyforgeError({ code: 'PLUGIN', message: `${block.id}: runtime needs \`image\`, or \`context\` (+ \`dockerfile\`) to build one` });
  const argsOf = options.argsOf ?? genericArgs;
  // identity() resolves the image right before run(): run() takes that result, so the image
  // it runs is the one in the action key and the context is not hashed and inspected twice.
  const recent = new Map<string, { at: number; resolved: ReturnType<typeof resolveImage> }>();
  const image = (pipelineDir: string, signal: AbortSignal, log: Logger, reuse = false, dryRun = false) => {
    const baseDir = options.baseDir ?? pipelineDir;
    if (dryRun) return resolveImage(runtime, { baseDir, signal, log, dryRun });
    const hit = recent.get(baseDir);
    if (reuse && hit && performance.now() - hit.at < RESOLVED_REUSE_MS) return hit.resolved;
    const resolved = resolveImage(runtime, { baseDir, signal, log });
    recent.set(baseDir, { at: performance.now(), resolved });
    resolved.catch(() => recent.delete(baseDir));
    return resolved;
  };

  const wrapped: WholeBlock = {
    ...block,
    identity: async (params, env) => {
      const resolved = await image(env.pipelineDir, env.signal, env.log, false, env.dryRun);
      const own = await block.identity?.(params, env);
      const id: Record<string, JsonValue> = {
        image: resolved.pending !== undefined ? { ...pendingIdentity(resolved.pending) } : resolved.id,
        protocol: `${protocol}@${PROTOCOL_VERSION}`,
      };
      if (own !== undefined) id.block = own;
      return id;
    },
    run: async (ctx) => {
      const params = ctx.params as Record<string, unknown>;
      const resolved = await image(ctx.pipelineDir, ctx.signal, ctx.log, true);
      const limits = { ...DEFAULT_LIMITS, ...runtime.limits, ...((params[LIMITS_PARAM] as ContainerLimits | undefined) ?? {}) };
      if (protocol === 'edge-impulse-dsp') {
        const port = options.dsp?.port ?? DSP_PORT;
        await runDspProtocol(ctx, {
          blockId: block.id,
          implementationVersion: options.dsp?.implementationVersion ?? 1,
          ...(options.dsp?.namedAxes ? { namedAxes: options.dsp.namedAxes } : {}),
          params,
          start: () => {
            ctx.log.debug(`DSP server ${resolved.ref} (${resolved.id.slice(7, 19)}) on port ${port}`);
            return startService({
              image: resolved.id,
              port,
              timeoutMs: limits.timeoutSec * 1000,
              readyTimeoutMs: Math.min(limits.timeoutSec, DSP_READY_TIMEOUT_SEC) * 1000,
              memoryMb: limits.memoryMb,
              cpus: limits.cpus,
              signal: ctx.signal,
              log: ctx.log,
              name: ctx.blockName,
            });
          },
        });
        return;
      }
      let runs = 0;
      const runner: ContainerRunner = {
        paramArgs: argsOf(params),
        run: async (args, dirs) => {
          const mounts: ContainerMount[] = [
            { hostPath: dirs.inDir, containerPath: IN_DIR, readOnly: true },
            { hostPath: dirs.outDir, containerPath: OUT_DIR, readOnly: false },
          ];
          runs++;
          ctx.log.debug(`container ${resolved.ref} (${resolved.id.slice(7, 19)}) ${args.join(' ')}`);
          const outcome = await runContainer({
            image: resolved.id,
            args,
            env: runner.paramArgs.env,
            mounts,
            timeoutMs: limits.timeoutSec * 1000,
            memoryMb: limits.memoryMb,
            cpus: limits.cpus,
            signal: ctx.signal,
            log: ctx.log,
            name: ctx.blockName,
          });
          ctx.signal.throwIfAborted();
          const tail = outcome.lastLines.length ? `; last output:\n${outcome.lastLines.slice(-10).map((l) => `  | ${l}`).join('\n')}` : '';
          if (outcome.timedOut) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `container timed out after ${limits.timeoutSec} s and was killed${tail}`, hint: `raise params.${LIMITS_PARAM}.timeoutSec if the block needs longer` });
          if (outcome.oomKilled) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `container ran out of memory (limit ${limits.memoryMb} MB) and was killed${tail}`, hint: `raise params.${LIMITS_PARAM}.memoryMb` });
          if (outcome.exitCode !== 0) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `container exited with code ${outcome.exitCode}${tail}` });
        },
      };
      const inDir = join(ctx.scratchDir, 'in');
      const outDir = join(ctx.scratchDir, 'out');
      await mkdir(inDir, { recursive: true });
      await mkdir(outDir, { recursive: true });
      await chmod(inDir, 0o755);
      await chmod(outDir, 0o755);
      await grantWrite(outDir);
      try {
        if (protocol === 'edge-impulse-learn') await runLearnProtocol(ctx, runner, { inDir, outDir });
        else await runTransformProtocol(ctx, runner, { inDir, outDir, operatesOn: runtime.operatesOn ?? 'directory' });
      } finally {
        // Containers are removed in the background, overlapping the next run and the output
        // collection; the block does not end before they are gone.
        await settleRemovals();
      }
      ctx.log.debug(`${runs} container run(s)`);
    },
  };
  const frozen = Object.freeze(wrapped);
  runnable.add(frozen);
  return frozen;
}

/** `--<param> <value>` for every param but the limits; booleans as 1/0, objects as JSON. */
function genericArgs(params: Record<string, unknown>): { args: string[]; env: Record<string, string> } {
  const args: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (key === LIMITS_PARAM || value === undefined || value === null) continue;
    args.push(`--${key}`, typeof value === 'boolean' ? (value ? '1' : '0') : typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return { args, env: {} };
}
