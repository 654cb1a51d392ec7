import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSetReader } from '@tinyforge/sdk';
import { atomicWrite } from '../util/atomic-write.js';

/**
 * A real measurement on Cortex-M4 (C++ target, cross-compiled, QEMU-counted): of the network
 * alone (`measureModel`), or of the whole library with its DSP front end (a pipeline `deploy`
 * with the cpp target writes one per run: `estimate.json`).
 */
export interface Measurement {
  modelDigest: string;
  scope: 'network' | 'library';
  flashBytes: number;
  ramBytes: number;
  instructions: number;
  /** Library measurements: the network's and the DSP's share of `instructions`. */
  nnInstructions?: number;
  dspInstructions?: number;
  tool: string;
}

interface CppTarget {
  emitCppLibrarySync(model: { ir: unknown; bin: Uint8Array }): { files: Map<string, string> };
  estimateCore(files: ReadonlyMap<string, string>, core: 'cortex-m4', input: { int8: Int8Array }): Promise<{ flashBytes: number; ramBytes: number; libraryRamBytes?: number; nnInstructions?: number }>;
  toolchainStatus(): Promise<{ available: boolean; reason?: string; gcc?: string; qemu?: string }>;
}

/**
 * The C++ target is an optional package (targets/cpp, `@tinyforge/target-cpp`); it is loaded by
 * name at run time so the runner builds and runs without it. Returns why when it is unusable.
 */
export async function loadCppTarget(): Promise<{ target?: CppTarget; reason?: string }> {
  try {
    const pkg = '@tinyforge/target-cpp';
    const lib = (await import(`${pkg}/emit-library`)) as Pick<CppTarget, 'emitCppLibrarySync'>;
    const dev = (await import(`${pkg}/device/cortex-m`)) as Pick<CppTarget, 'estimateCore' | 'toolchainStatus'>;
    const target: CppTarget = { emitCppLibrarySync: lib.emitCppLibrarySync, estimateCore: dev.estimateCore, toolchainStatus: dev.toolchainStatus };
    const status = await target.toolchainStatus();
    if (!status.available) return { reason: status.reason ?? 'Cortex-M toolchain unavailable' };
    return { target };
  } catch (error) {
    return { reason: `@tinyforge/target-cpp not usable: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** Measures (or reads the cached measurement of) one int8 model artifact. */
export async function measureModel(model: FileSetReader, cacheDir: string, target: CppTarget): Promise<Measurement> {
  // v2: ramBytes includes the peak stack.
  const file = join(cacheDir, `${model.digest}.v2.json`);
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Measurement;
  const ir = await model.readJson('ir.int8.json');
  const bin = new Uint8Array(await model.readFile('weights.int8.bin'));
  const golden = await model.readJson<{ vectors: { input: number[] }[] }>('golden.int8.json');
  const input = Int8Array.from(golden.vectors[0]!.input);
  const lib = target.emitCppLibrarySync({ ir, bin });
  const est = await target.estimateCore(lib.files, 'cortex-m4', { int8: input });
  // RAM as a budget means static + peak stack (libraryRamBytes) where the build measured it.
  const m: Measurement = { modelDigest: model.digest, scope: 'network', flashBytes: est.flashBytes, ramBytes: est.libraryRamBytes ?? est.ramBytes, instructions: est.nnInstructions ?? Number.NaN, tool: 'target-cpp cortex-m4 -Os, QEMU mps2-an386' };
  await mkdir(cacheDir, { recursive: true });
  await atomicWrite(file, JSON.stringify(m, null, 2), { fsync: false });
  return m;
}

interface EstimateJson {
  format?: string;
  cores?: { core: string; flashBytes: number; ramBytes: number; libraryRamBytes?: number; nnInstructions?: number; dspInstructions?: number }[];
}

/** The Cortex-M4 figures of a deploy bundle's estimate.json (whole library: DSP + network), if any. */
export async function readDeployEstimate(bundle: FileSetReader, modelDigest: string): Promise<Measurement | undefined> {
  const file = bundle.files.find((f) => f.name === 'estimate.json' || f.name.endsWith('/estimate.json'));
  if (!file) return undefined;
  const est = await bundle.readJson<EstimateJson>(file.name);
  const m4 = est.cores?.find((c) => c.core === 'cortex-m4');
  if (!m4 || !(m4.flashBytes > 0)) return undefined;
  const instructions = m4.nnInstructions !== undefined ? m4.nnInstructions + (m4.dspInstructions ?? 0) : Number.NaN;
  const split = m4.nnInstructions !== undefined && m4.dspInstructions !== undefined ? { nnInstructions: m4.nnInstructions, dspInstructions: m4.dspInstructions } : {};
  return { modelDigest, scope: m4.dspInstructions !== undefined ? 'library' : 'network', flashBytes: m4.flashBytes, ramBytes: m4.libraryRamBytes ?? m4.ramBytes, instructions, ...split, tool: 'pipeline deploy (target cpp): cortex-m4, QEMU' };
}
