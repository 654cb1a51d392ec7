import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import { runInt8 } from '@tinyforge/blocks/learn/ir/interpreter';
import { estimateCore, toolchainStatus, type BenchInput, type CoreEstimate, type CoreName } from './device/cortex-m.js';
import type { CppLibrary } from './emit-library.js';

/** The bundle's estimate.json: sizes from the generator, device figures from QEMU runs. */
export interface EstimateReport {
  format: 'tinyforge-cpp-estimate-v1';
  macs: number;
  /** The static arena: the network's plan, grown to hold the DSP's features + scratch when the
   * DSP block runs in it. */
  arenaBytes: number;
  /** max(network lower bound, DSP features + scratch). */
  arenaLowerBound: number;
  /** The network's own plan. */
  nnArenaBytes: number;
  nnArenaLowerBound: number;
  /** Where the DSP block's float features (on the input tensor) and scratch sit in the arena. */
  dspInArena?: { featuresOffset: number; scratchOffset: number; lowerBound: number };
  constBytes: number;
  ops: { op: string; output: string; macs: number; scratchBytes: number }[];
  toolchain: { available: boolean; reason?: string; gcc?: string; qemu?: string };
  cores: CoreEstimate[];
  /** The device's int8 output for the benchmark input equals the TypeScript reference. */
  bitExactOnDevice?: boolean;
  /** The whole library's RAM on the first core run under QEMU: static (.data + .bss) + peak stack
   * of the whole call (run_classifier() with a DSP block), the caller's signal buffer excluded. */
  libraryRam?: { core: string; staticBytes: number; peakStackBytes: number; totalBytes: number; signalCopyBytes?: number };
}

export async function estimateLibrary(model: IrModel, lib: CppLibrary, input: BenchInput, cores: readonly CoreName[]): Promise<EstimateReport> {
  const tc = await toolchainStatus();
  const report: EstimateReport = {
    format: 'tinyforge-cpp-estimate-v1',
    macs: lib.model.macs,
    arenaBytes: lib.model.arenaBytes,
    arenaLowerBound: Math.max(lib.model.plan.lowerBound, lib.model.dspLayout?.lowerBound ?? 0),
    nnArenaBytes: lib.model.plan.arenaBytes,
    nnArenaLowerBound: lib.model.plan.lowerBound,
    ...(lib.model.dspLayout ? { dspInArena: lib.model.dspLayout } : {}),
    constBytes: lib.model.constBytes,
    ops: lib.model.ops.map((o) => ({ op: o.op, output: o.output, macs: o.macs, scratchBytes: o.scratchBytes })),
    toolchain: tc,
    cores: [],
  };
  if (!tc.available) return report;
  for (const core of cores) report.cores.push(await estimateCore(lib.files, core, input));
  const ran = report.cores.find((c) => c.libraryRamBytes !== undefined);
  if (ran)
    report.libraryRam = {
      core: ran.core,
      staticBytes: ran.ramBytes,
      peakStackBytes: ran.runStackBytes!,
      totalBytes: ran.libraryRamBytes!,
      ...(ran.signalCopyBytes ? { signalCopyBytes: ran.signalCopyBytes } : {}),
    };
  if (model.ir.precision === 'int8') {
    const ran = report.cores.filter((c) => c.output);
    if (ran.length > 0) {
      const q = input.int8 ?? (ran[0]!.features ? Int8Array.from(ran[0]!.features) : null);
      if (q) {
        const want = Array.from(runInt8(model, q));
        report.bitExactOnDevice = ran.every((c) => c.output!.length === want.length && c.output!.every((v, i) => v === want[i]));
      }
    }
  }
  return report;
}
