import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import { buildHost, writeFiles } from './build/host-build.js';
import { emitCppLibrarySync } from './emit-library.js';
import { dsCnn, eiConv1dKws, everyLayerModel, microSpeech, wideRowModel } from './testing/models.js';
import { randomChain } from './testing/random-ir.js';

/**
 * tf_conv_s8_rows / tf_dwconv_s8_rows over [0, y) + [y, out_h), for every split row y, give the
 * bytes of the whole call and write only their own rows (the planner relies on both when it puts
 * a scratch in rows not yet written). The harness includes the generated model to reach its op
 * parameters; the scratch is a buffer of its own here, so only the kernels are under test.
 */
function harness(model: IrModel): { source: string; ops: number } {
  const lines: string[] = [];
  let ops = 0;
  model.ir.ops.forEach((op, i) => {
    if (op.op !== 'CONV_2D' && op.op !== 'DEPTHWISE_CONV_2D') return;
    const [, H, W, C] = model.ir.tensors[op.inputs[0]]!.shape as number[];
    const [, OH, OW, CO] = model.ir.tensors[op.outputs[0]]!.shape as number[];
    const fn = op.op === 'CONV_2D' ? 'tf_conv_s8' : 'tf_dwconv_s8';
    ops++;
    lines.push(`  {
    const int32_t in_n = ${H! * W! * C!}, row = ${OW! * CO!}, oh = ${OH};
    for (int32_t i = 0; i < in_n; i++) in[i] = (int8_t)(next() >> 24);
    ${fn}(&op${i}, in, whole, scratch);
    for (int32_t y = 0; y <= oh; y++) {
      memset(part, 0x5a, sizeof part);
      if (y > 0) ${fn}_rows(&op${i}, in, part, scratch, 0, y);
      for (int32_t k = y * row; k < oh * row; k++) if (part[k] != 0x5a) { printf("op${i} rows [0, %d) wrote byte %d\\n", (int)y, (int)k); bad++; break; }
      if (y < oh) ${fn}_rows(&op${i}, in, part, scratch, y, oh);
      if (memcmp(part, whole, (size_t)(oh * row)) != 0) { printf("op${i} split at row %d differs\\n", (int)y); bad++; }
    }
  }`);
  });
  const source = `#include <stdio.h>
#include <string.h>
#include "model/tf_model.cpp"
static uint32_t state = 12345u;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state; }
static int8_t in[1 << 16], whole[1 << 16], part[1 << 16];
static uint64_t scratch_words[1 << 12];
int main(void) {
  void *scratch = scratch_words;
  int bad = 0;
${lines.join('\n')}
  printf("checked, %d bad\\n", bad);
  return bad != 0;
}
`;
  return { source, ops };
}

const models: [string, IrModel][] = [
  ['micro_speech', microSpeech().int8],
  ['ds-cnn', dsCnn().int8],
  ['ei-conv1d-kws (k_h = 1)', eiConv1dKws().int8],
  ['every-layer', everyLayerModel().int8],
  ['wide rows (k_w · in_c = 68)', wideRowModel().int8],
  // Strides, depth multipliers, odd widths (pixel pairs across rows), 1-row outputs, clamps.
  ...[8, 15, 16, 23, 45].map((seed): [string, IrModel] => [`random chain ${seed}`, randomChain(seed)]),
];

describe('convolution kernels over output-row ranges equal the whole call (host g++, UBSan)', () => {
  for (const [name, model] of models)
    for (const [label, defines] of [['portable', []], ['DSP kernels (emulated SIMD)', ['TF_EMULATE_DSP']]] as [string, string[]][])
      it(`${name}, ${label}: every split row`, async () => {
        const { source, ops } = harness(model);
        expect(ops).toBeGreaterThan(0);
        const dir = await mkdtemp(path.join(tmpdir(), 'tf-rows-'));
        const lib = emitCppLibrarySync(model);
        await writeFiles(dir, lib.files);
        await writeFile(path.join(dir, 'rows_main.cpp'), source);
        const exe = await buildHost(dir, lib.files, {
          extraSources: ['rows_main.cpp'],
          defines,
          include: (rel) => !rel.startsWith('examples/') && !rel.includes('/classifier/') && rel !== 'model/tf_model.cpp',
        });
        const { stdout } = await promisify(execFile)(exe, []).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? String(e) }));
        expect(stdout).toBe('checked, 0 bad\n');
      });
});
