import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import { runInt8 } from '@tinyforge/blocks/learn/ir/interpreter';
import { estimateCore, toolchainStatus, type BenchInput, type CoreEstimate, type CoreName } from './device/cortex-m.js';
import type { CppLibrary } from './emit-library.js';

/** The bundle's estimate.json: sizes from the generator, device figures from QEMU runs. */
export interface EstimateReport {
  format: 'tinyforge-cpp-estimate-v1';
  macs: number;
  arenaBytes: number;
  arenaLowerBound: number;
  constBytes: number;
  ops: { op: string; output: string; macs: number; scratchBytes: number }[];
  toolchain: { available: boolean; reason?: string; gcc?: string; qemu?: string };
  cores: CoreEstimate[];
  /** The device's int8 output for the benchmark input equals the TypeScript reference. */
  bitExactOnDevice?: boolean;
}

export async function estimateLibrary(model: IrModel, lib: CppLibrary, input: BenchInput, cores: readonly CoreName[]): Promise<EstimateReport> {
  const tc = await toolchainStatus();
  const report: EstimateReport = {
    format: 'tinyforge-cpp-estimate-v1',
    macs: lib.model.macs,
    arenaBytes: lib.model.plan.arenaBytes,
    arenaLowerBound: lib.model.plan.lowerBound,
    constBytes: lib.model.constBytes,
    ops: lib.model.ops.map((o) => ({ op: o.op, output: o.output, macs: o.macs, scratchBytes: o.scratchBytes })),
    toolchain: tc,
    cores: [],
  };
  if (!tc.available) return report;
  for (const core of cores) report.cores.push(await estimateCore(lib.files, core, input));
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
