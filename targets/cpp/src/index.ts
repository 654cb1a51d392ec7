import { z } from 'zod';
import { defineTarget, TinyforgeError, type CEmission, type CInputInfo, type TargetContext } from '@tinyforge/sdk';
import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import type { ModelIR } from '@tinyforge/blocks/learn/ir/types';
import type { AnomalyModel } from '@tinyforge/blocks/learn/anomaly/model';

export { emitCppLibrary, emitCppLibrarySync, sdkFiles, type CppLibrary, type CppLibraryOptions, type DspCCode } from './emit-library.js';
export { emitModel, planModel, type ModelEmission } from './emit-model.js';
export { planMemory, lowerBound, checkPlan, checkRowSplitScratch, type MemoryPlan, type PlanBuffer, type RowSplitScratch } from './memory-plan.js';
export { dspFromEmission } from './dsp-glue.js';
export { continuousLayout, defaultKeywords, DEFAULT_CONTINUOUS, type ContinuousOptions, type ContinuousLayout } from './continuous.js';
import { DEFAULT_CONTINUOUS } from './continuous.js';
export { estimateLibrary, type EstimateReport } from './estimate.js';

const params = z.object({
  /** Library name (CMake target, README, EI_CLASSIFIER_PROJECT_NAME). */
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/).optional(),
  /** Which model IR to compile. */
  precision: z.enum(['int8', 'float32']).default('int8'),
  /** Raw input of the DSP block on the device: samples per axis per window, axes, Hz. */
  rawFrames: z.number().int().positive().optional(),
  axes: z.number().int().positive().default(1),
  frequency: z.number().positive().optional(),
  /** Cross-build and run under QEMU for estimate.json: auto = when the toolchain is installed. */
  estimate: z.enum(['auto', 'off', 'required']).default('auto'),
  cores: z.array(z.enum(['cortex-m4', 'cortex-m33', 'cortex-m0plus'])).default(['cortex-m4', 'cortex-m33', 'cortex-m0plus']),
  threshold: z.number().min(0).max(1).default(0.6),
  /**
   * Compile in run_classifier_continuous(): slices of strideMs in, per-window scores and the
   * post-processing of `tinyforge calibrate` (runner/src/calibrate/postprocess.ts) out.
   * Copy the values from .tinyforge/calibration/<pipeline>.json; omitted fields take defaults.
   */
  continuous: z
    .object({
      strideMs: z.number().positive().default(DEFAULT_CONTINUOUS.strideMs),
      averageWindowMs: z.number().positive().default(DEFAULT_CONTINUOUS.averageWindowMs),
      detectionThreshold: z.number().gt(0).max(1).default(DEFAULT_CONTINUOUS.detectionThreshold),
      suppressionMs: z.number().min(0).default(DEFAULT_CONTINUOUS.suppressionMs),
      keywords: z.array(z.string()).min(1).optional(),
    })
    .strict()
    .optional(),
});

type EmitCarrier = { emitC?: (p: unknown, input: CInputInfo) => CEmission };

/**
 * cpp: the model (and the pipeline's last DSP block, when it can emit C) as a self-contained
 * C++11 library, plus estimate.json with Cortex-M figures measured under QEMU.
 */
const cppTarget = defineTarget({
  id: 'cpp',
  version: '1.7.0',
  apiVersion: 1,
  description: 'Interpreter-free C++11 library (int8 bit-exact, static arena, EI-style API) + Cortex-M estimates',
  params,
  // The estimates come from these tools: a new compiler or emulator rebuilds instead of reusing figures.
  identity: async (p): Promise<Record<string, string>> => (p.estimate === 'off' ? {} : (await import('./device/cortex-m.js')).toolchainVersions()),
  async emit(ctx) {
    const p = ctx.params;
    const names = new Set(ctx.model.files.map((f) => f.name));
    const irName = `ir.${p.precision}.json`;
    const binName = `weights.${p.precision}.bin`;
    if (!names.has(irName) || !names.has(binName))
      throw new TinyforgeError({ code: 'BAD_INPUT', message: `the model artifact has no ${irName} / ${binName}`, hint: p.precision === 'int8' ? 'train with int8 quantization, or set precision: float32' : undefined });
    const model: IrModel = { ir: await ctx.model.readJson<ModelIR>(irName) as unknown as ModelIR, bin: new Uint8Array(await ctx.model.readFile(binName)) };
    const { emitCppLibrarySync } = await import('./emit-library.js');
    const { dspFromEmission } = await import('./dsp-glue.js');
    let dsp;
    const last = ctx.dsp[ctx.dsp.length - 1];
    const emitC = (last?.block as EmitCarrier | undefined)?.emitC;
    // The raw window on the device: from params, else from what the DSP block read in the pipeline.
    const rawFrames = p.rawFrames ?? last?.input?.frames;
    const frequency = p.frequency ?? last?.input?.frequency;
    const axes = p.rawFrames ? p.axes : (last?.input?.axes ?? p.axes);
    if (last && emitC && rawFrames) {
      const info: CInputInfo = { frames: rawFrames, axes, ...(frequency ? { frequency } : {}) };
      dsp = dspFromEmission(last.block.id, emitC(last.params, info));
    } else if (last) ctx.log.warn(`DSP block ${last.name} is not compiled in (${emitC ? 'set rawFrames/frequency' : 'it has no emitC'}); run_classifier() takes features`);
    const anomaly = ctx.anomaly ? await ctx.anomaly.readJson<AnomalyModel>('anomaly.json') : undefined;
    const lib = emitCppLibrarySync(model, dsp, { name: libraryName(p, ctx), ...(frequency ? { frequency } : {}), threshold: p.threshold, axes, ...(p.continuous ? { continuous: p.continuous } : {}), ...(anomaly ? { anomaly } : {}) });
    for (const [rel, text] of lib.files) await ctx.output.writeFile(rel, text);
    if (p.estimate === 'off') return;
    const { estimateLibrary } = await import('./estimate.js');
    const { toolchainStatus } = await import('./device/cortex-m.js');
    const tc = await toolchainStatus();
    if (!tc.available && p.estimate === 'required') throw new TinyforgeError({ code: 'BLOCK_FAILED', message: tc.reason ?? 'no Cortex-M toolchain', hint: 'install the toolchain or set estimate: auto' });
    // Benchmark input: the first golden vector when the model artifact has one.
    let int8: Int8Array | undefined;
    if (names.has('golden.int8.json') && model.ir.precision === 'int8') {
      const golden = await ctx.model.readJson<{ vectors: { input: number[] }[] }>('golden.int8.json');
      if (golden.vectors[0]) int8 = Int8Array.from(golden.vectors[0].input);
    }
    const n = model.ir.tensors[model.ir.input]!.shape.reduce((a, b) => a * b, 1);
    const input = dsp ? { raw: new Float32Array(dsp.inputLength) } : { int8: int8 ?? new Int8Array(n) };
    const report = await estimateLibrary(model, lib, input, p.cores);
    await ctx.output.writeJson('estimate.json', report);
    if (!tc.available) ctx.log.warn(`estimate.json has no device figures: ${tc.reason}`);
  },
});
export default cppTarget;

/** The cpp target's params minus its Cortex-M estimate options: what shapes the library. */
export const libraryParams = cppTarget.params.omit({ estimate: true, cores: true });
export type LibraryParams = z.output<typeof libraryParams>;

/** The library's name: the `name` param, else the pipeline's name as a C identifier. */
export function libraryName(params: { name?: string | undefined }, ctx: Pick<TargetContext, 'pipeline'>): string {
  return params.name ?? ctx.pipeline.name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** For targets that package this library: their output changes whenever this target's does. */
export const CPP_LIBRARY_IDENTITY = { cppLibrary: `${cppTarget.id}@${cppTarget.version}` } as const;

/**
 * The C++ library exactly as this target emits it (same model code, same DSP glue), captured as
 * a file map: the wasm, cmsis-pack and arduino targets package it rather than regenerate it.
 */
export async function cppLibraryFiles(ctx: TargetContext, params: LibraryParams): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const text = new TextDecoder();
  await cppTarget.emit({
    ...ctx,
    params: cppTarget.params.parse({ ...libraryParams.parse(params), estimate: 'off' }),
    output: {
      writeFile: async (rel, data) => void files.set(rel, typeof data === 'string' ? data : text.decode(data)),
      writeJson: async (rel, value) => void files.set(rel, JSON.stringify(value, null, 2)),
    },
  });
  return files;
}

