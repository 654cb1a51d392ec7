import { describe, expect, it } from 'vitest';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { checkPlan, checkRowSplitScratch, firstInputByteRead, lowerBound, planMemory, type PlanBuffer, type RowSplitScratch } from './memory-plan.js';
import { planModel } from './emit-model.js';
import { microSpeech } from './testing/models.js';

describe('static memory plan', () => {
  it('a chain needs two live buffers at a time: arena = lower bound', () => {
    const sizes = [490, 8000, 8000, 8000, 64, 12];
    const bufs: PlanBuffer[] = sizes.map((bytes, i) => ({ key: `t${i}`, bytes, first: i, last: i + 1 }));
    const plan = planMemory(bufs, 8);
    checkPlan(bufs, plan);
    expect(plan.lowerBound).toBe(16000);
    expect(plan.arenaBytes).toBe(16000);
  });
  it('random lifetimes: never overlapping, within 5 % of the lower bound on average', () => {
    const rng = new Rng(3);
    let ratio = 0;
    for (let k = 0; k < 50; k++) {
      const bufs: PlanBuffer[] = Array.from({ length: 12 }, (_, i) => {
        const first = Math.floor(rng.next() * 10);
        return { key: `b${i}`, bytes: 8 * (1 + Math.floor(rng.next() * 100)), first, last: first + Math.floor(rng.next() * 3) };
      });
      const plan = planMemory(bufs, 8);
      checkPlan(bufs, plan);
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(lowerBound(bufs, 8));
      ratio += plan.arenaBytes / plan.lowerBound / 50;
    }
    expect(ratio).toBeLessThan(1.05);
  });
});

describe('convolution scratch in dead input/output rows (row splits)', () => {
  const { plan, buffers, rowSplits } = planModel(microSpeech().int8.ir);
  const split = rowSplits[0]!;
  const at = (key: string): number => plan.offsets.get(key)!;
  const withRanges = (ranges: RowSplitScratch['ranges']): RowSplitScratch[] => [{ ...split, ranges }];

  it('micro_speech: the conv scratch needs no bytes of its own, arena = input + conv output', () => {
    expect(rowSplits).toHaveLength(1);
    expect(buffers.some((b) => b.key === split.key)).toBe(false);
    expect(plan.arenaBytes).toBe(1960 + 4000);
    expect(plan.lowerBound).toBe(1960 + 4000);
    expect(() => checkRowSplitScratch(buffers, plan, rowSplits)).not.toThrow();
  });

  it('the checker rejects a scratch on output rows already written or on input rows still read', () => {
    const [early, late] = split.ranges as [RowSplitScratch['ranges'][0], RowSplitScratch['ranges'][0]];
    expect(early.y0).toBe(0);
    // Rows [0, y1) write output bytes [0, y1 · row): a scratch starting 8 B before their end meets them.
    const written = at(split.output) + early.y1 * split.outRowBytes;
    expect(early.offset).toBeGreaterThanOrEqual(written);
    expect(() => checkRowSplitScratch(buffers, plan, withRanges([{ ...early, offset: written - 8 }, late]))).toThrow(/meets live bytes .* of t4/);
    expect(() => checkRowSplitScratch(buffers, plan, withRanges([{ ...early, offset: written }, late]))).not.toThrow();
    // Rows ≥ y1 read input from row y1 · stride − pad_top: a scratch 8 B further in meets them.
    expect(() => checkRowSplitScratch(buffers, plan, withRanges([early, { ...late, offset: late.offset + 8 }]))).toThrow(/meets live bytes .* of t0/);
    // The same placements with the split one row earlier: the input row it frees is still read.
    const y = early.y1 - 1;
    expect(firstInputByteRead(split, y)).toBeLessThan(split.bytes);
    expect(() => checkRowSplitScratch(buffers, plan, withRanges([{ ...early, y1: y }, { ...late, y0: y }]))).toThrow(/of t0/);
    // A scratch placed on the input for the whole conv: row 0 reads input row 0.
    expect(() => checkRowSplitScratch(buffers, plan, withRanges([{ y0: 0, y1: split.outRows, offset: at(split.input) }]))).toThrow(/of t0/);
    // Ranges must cover every output row once, in order.
    expect(() => checkRowSplitScratch(buffers, plan, withRanges([early]))).toThrow(/ranges end/);
    expect(() => checkRowSplitScratch(buffers, plan, withRanges([late, early]))).toThrow(/in order/);
    expect(() => checkRowSplitScratch(buffers, plan, withRanges([early, { ...late, offset: plan.arenaBytes - 8 }]))).toThrow(/past the arena/);
  });

  it('an input that outlives the op is live whole: its head cannot host the scratch', () => {
    const longer = buffers.map((b) => (b.key === split.input ? { ...b, last: b.last + 1 } : b));
    expect(() => checkRowSplitScratch(longer, plan, rowSplits)).toThrow(/of t0/);
  });
});
