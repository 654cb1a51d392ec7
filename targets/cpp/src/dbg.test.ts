import { it } from 'vitest';
import { quantizeInput, runInt8 } from '@tinyforge/blocks/learn/ir/interpreter';
import { emitCppLibrarySync } from './emit-library.js';
import { estimateCore } from './device/cortex-m.js';
import { dsCnn, eiConv1dKws } from './testing/models.js';
it('dbg', async () => {
  for (const m of [eiConv1dKws(), dsCnn()]) {
    const lib = emitCppLibrarySync(m.int8);
    const q = quantizeInput(m.int8, m.samples[0]!);
    const est = await estimateCore(lib.files, 'cortex-m4', { int8: q }, ['-O2']);
    console.log(m.name, JSON.stringify({ ...est, arena: lib.model.plan.arenaBytes, lb: lib.model.plan.lowerBound, macs: lib.model.macs }));
    console.log('ref', Array.from(runInt8(m.int8, q)).join(' '));
  }
}, 300000);
