import { describe, expect, it } from 'vitest';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { checkPlan, lowerBound, planMemory, type PlanBuffer } from './memory-plan.js';

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
