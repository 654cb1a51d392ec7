/**
 * C++ target numbers on an emulated Cortex-M4F (QEMU mps2-an386, executed-instruction counts
 * from our TCG plugin; instructions, not cycles). Run: npx tsx test/bench/codegen.ts
 * Prints `name: value unit (goal …)` lines. Models use random weights (counts barely depend on
 * the data); the KWS reference runs EI-default MFCC (1 s at 16 kHz) + EI's 1D-conv network,
 * measured through run_classifier() (the whole library call: its RAM is static + peak stack).
 * TFLM + CMSIS-NN measured here for DS-CNN: 7.70 M instructions, 22,824 B arena, ~46 KB code +
 * 54 KB model (shared/reference/tflm-measured.md).
 */
import mfccBlock from '../../blocks/src/dsp/mfcc/index.js';
import { quantizeInput, runInt8 } from '../../blocks/src/learn/ir/interpreter.js';
import { dspFromEmission } from '../../targets/cpp/src/dsp-glue.js';
import { emitCppLibrarySync } from '../../targets/cpp/src/emit-library.js';
import type { IrModel } from '../../blocks/src/learn/ir/model.js';
import { dsCnn, eiConv1dKws, microSpeech } from '../../targets/cpp/src/testing/models.js';
import { estimateCore, toolchainStatus, type BenchInput } from '../../targets/cpp/src/device/cortex-m.js';

const line = (name: string, value: number | string, unit: string, goal: string): void => console.log(`${name}: ${typeof value === 'number' ? value.toLocaleString('en-US') : value} ${unit} (goal ${goal})`);

/** Every op output on the device equals runInt8's (a second build that prints FNV-1a hashes of
 * each layer; final outputs alone can hide a wrong layer behind a saturated softmax). */
async function layersExact(files: ReadonlyMap<string, string>, model: IrModel, input: BenchInput, int8Input?: Int8Array): Promise<string> {
  const est = await estimateCore(files, 'cortex-m4', input, ['-DBENCH_TENSOR_HASHES=1']);
  const q = int8Input ?? Int8Array.from(est.features ?? []);
  const want = new Map<number, number>();
  runInt8(model, q, (id, data) => {
    let h = 2166136261;
    for (const v of data) h = Math.imul(h ^ (v & 0xff), 16777619) >>> 0;
    want.set(id, h);
  });
  const got = est.tensorHashes ?? new Map<number, number>();
  const bad = model.ir.ops.filter((op) => got.get(op.outputs[0]) !== want.get(op.outputs[0]));
  return bad.length === 0 ? 'yes' : `NO (${bad.length} of ${model.ir.ops.length} layers differ)`;
}

const tc = await toolchainStatus();
if (!tc.available) {
  console.log(`codegen bench skipped: ${tc.reason}`);
  process.exit(process.env.CI === 'true' ? 1 : 0);
}

// KWS reference: MFCC 50×13 + EI 1D conv, int8.
{
  const m = eiConv1dKws();
  const params = mfccBlock.params.parse({});
  const em = (mfccBlock as unknown as { emitC: (p: unknown, i: object) => Parameters<typeof dspFromEmission>[1] }).emitC(params, { frames: 16000, axes: 1, frequency: 16000 });
  const dsp = dspFromEmission('dsp/mfcc', em);
  const lib = emitCppLibrarySync(m.int8, dsp, { name: 'kws', frequency: 16000 });
  let s = 12345;
  const raw = Float32Array.from({ length: 16000 }, (_, i) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 16000) + ((s / 2 ** 32) - 0.5) * 2000);
  });
  const est = await estimateCore(lib.files, 'cortex-m4', { raw });
  const nn = est.nnInstructions ?? 0;
  const dspI = est.dspInstructions ?? 0;
  const exact = est.features && est.output ? Array.from(runInt8(m.int8, Int8Array.from(est.features))).every((v, i) => v === est.output![i]) : false;
  const runI = est.runInstructions ?? 0;
  line('kws-ref NN instructions (M4)', nn, 'instr', '≤ 80,000');
  line('kws-ref NN MACs per instruction', (lib.model.macs / nn).toFixed(3), '', '—');
  line('kws-ref DSP instructions (M4, MFCC 1 s)', dspI, 'instr', '—');
  line('kws-ref DSP+NN instructions (M4)', nn + dspI, 'instr', '≤ 700,000');
  line('kws-ref run_classifier instructions (M4, DSP + input conversion + NN)', runI, 'instr', '≤ 700,000');
  line('kws-ref flash (DSP+NN library, run_classifier linked)', est.flashBytes, 'B', '≤ 40,960');
  line('kws-ref static RAM (.data + .bss: arena with DSP features + scratch)', est.ramBytes, 'B', '—');
  line('kws-ref peak stack run_classifier / DSP part / NN part', `${est.runStackBytes} / ${est.dspStackBytes} / ${est.nnStackBytes}`, 'B', '—');
  line('kws-ref RAM static + peak stack (whole library, signal buffer excluded)', est.libraryRamBytes ?? 'n/a', 'B', '≤ 6,144');
  line('kws-ref signal copy for get_data signals (TF_DSP_SIGNAL_COPY=1, not counted above)', est.signalCopyBytes ?? 0, 'B', '—');
  line('kws-ref NN arena / lower bound', `${lib.model.plan.arenaBytes} / ${lib.model.plan.lowerBound}`, 'B', 'arena ≤ lower bound + 5%');
  line('kws-ref arena with DSP / DSP features + scratch', `${lib.model.arenaBytes} / ${lib.model.dspLayout?.lowerBound ?? 0}`, 'B', '—');
  line('kws-ref device output = TS reference on device features', exact ? 'yes' : 'NO', '', 'yes');
  line('kws-ref every layer on device = TS reference', await layersExact(lib.files, m.int8, { raw }), '', 'yes');
}

// MLPerf Tiny KWS DS-CNN.
{
  const m = dsCnn();
  const q = quantizeInput(m.int8, m.samples[0]!);
  const lib = emitCppLibrarySync(m.int8);
  for (const core of ['cortex-m4', 'cortex-m33', 'cortex-m0plus'] as const) {
    const est = await estimateCore(lib.files, core, { int8: q });
    if (core === 'cortex-m4') {
      line('ds-cnn NN instructions (M4)', est.nnInstructions ?? 0, 'instr', '≤ 5,500,000; TFLM+CMSIS-NN 7,699,733');
      line('ds-cnn NN MACs per instruction', (lib.model.macs / (est.nnInstructions ?? 1)).toFixed(3), '', 'TFLM+CMSIS-NN 0.345');
      line('ds-cnn arena', lib.model.plan.arenaBytes, 'B', `≤ 16,896 and ≤ lower bound ${lib.model.plan.lowerBound} + 5%; TFLM 22,824`);
      line('ds-cnn flash (code + weights)', est.flashBytes, 'B', '≤ 51,200; TFLM ~46 KB code + 54 KB model');
      line('ds-cnn static RAM', est.ramBytes, 'B', '—');
      line('ds-cnn NN peak stack', est.nnStackBytes ?? 0, 'B', 'TFLM Invoke 844');
      line('ds-cnn device output = TS reference', JSON.stringify(est.output) === JSON.stringify(Array.from(runInt8(m.int8, q))) ? 'yes' : 'NO', '', 'yes');
      line('ds-cnn every layer on device = TS reference', await layersExact(lib.files, m.int8, { int8: q }, q), '', 'yes');
    } else if (est.nnInstructions !== undefined) {
      line(`ds-cnn NN instructions (${core})`, est.nnInstructions, 'instr', '—');
    } else line(`ds-cnn flash (${core}, build only)`, est.flashBytes, 'B', '—');
  }
}

// TFLM micro_speech architecture (conv 8×10×8 stride 2 on 49×40 → dense 4).
{
  const m = microSpeech();
  const q = quantizeInput(m.int8, m.samples[0]!);
  const lib = emitCppLibrarySync(m.int8);
  const est = await estimateCore(lib.files, 'cortex-m4', { int8: q });
  line('micro_speech NN instructions (M4)', est.nnInstructions ?? 0, 'instr', '≤ 1,000,000; TFLM+CMSIS-NN 1,500,000');
  line('micro_speech NN MACs per instruction', (lib.model.macs / (est.nnInstructions ?? 1)).toFixed(3), '', '—');
  line('micro_speech arena (input included) / lower bound', `${lib.model.plan.arenaBytes} / ${lib.model.plan.lowerBound}`, 'B', '≤ 6,000; TFLM 6,836');
  const split = lib.model.rowSplits[0];
  line('micro_speech conv im2col scratch (row ranges → arena offset)', split ? split.ranges.map((r) => `rows ${r.y0}–${r.y1 - 1} @ ${r.offset}`).join(', ') : 'own buffer', '', 'in dead input/output rows');
  line('micro_speech flash (code + weights)', est.flashBytes, 'B', 'TFLM ~37 KB runtime code');
  line('micro_speech every layer on device = TS reference', await layersExact(lib.files, m.int8, { int8: q }, q), '', 'yes');
}
