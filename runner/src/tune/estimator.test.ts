import { describe, expect, test } from 'vitest';
import type { ModelIR } from '@tinyforge/blocks/learn/ir/types';
import { estimate, fitEstimator, priorNetwork, UNFITTED } from './estimator.js';
import { networkFacts, type NetworkFacts } from './model-facts.js';
import { samplePoints, toSetArgs, pointId } from './space.js';

const net = (macs: number, constBytes: number): NetworkFacts => ({ precision: 'int8', constBytes, opKinds: 4, ops: 6, macs, activationElements: 1000, peakActivationBytes: 900 + macs / 100, inputElements: 650 });

describe('tune estimator', () => {
  test('facts of a hand-built IR: input [1,8] → FC 4 → softmax', () => {
    const ir = {
      precision: 'int8', input: 0, output: 4,
      tensors: [
        { id: 0, name: 'in', dtype: 'int8', shape: [1, 8] },
        { id: 1, name: 'w', dtype: 'int8', shape: [4, 8], buffer: { offset: 0, length: 32 } },
        { id: 2, name: 'b', dtype: 'int32', shape: [4], buffer: { offset: 32, length: 16 } },
        { id: 3, name: 'fc', dtype: 'int8', shape: [1, 4] },
        { id: 4, name: 'out', dtype: 'int8', shape: [1, 4] },
      ],
      ops: [
        { op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], activation: 'NONE', requant: { multiplier: [1, 1, 1, 1], shift: [0, 0, 0, 0], activationMin: -128, activationMax: 127 } },
        { op: 'SOFTMAX', inputs: [3], outputs: [4], beta: 1 },
      ],
    } as unknown as ModelIR;
    const f = networkFacts(ir);
    expect(f.macs).toBe(32);
    expect(f.constBytes).toBe(32 + 16 + 4 * 8);
    expect(f.opKinds).toBe(2);
    // Step 0: input (8) + fc (4) live; step 1: fc (4) + out (4).
    expect(f.peakActivationBytes).toBe(12);
  });

  test('the fit recovers a known linear relation from measurements and reports a smaller error', () => {
    const nets = [net(20_000, 1500), net(60_000, 4000), net(150_000, 9000), net(400_000, 20_000)];
    // Pretend the device costs 1.3× the prior plus a fixed 2000 (start-up code).
    const points = nets.map((n) => {
      const p = priorNetwork(n);
      return { net: n, measured: { modelDigest: 'x', scope: 'network' as const, tool: 't', flashBytes: 1.3 * p.flashBytes + 2000, ramBytes: 1.1 * p.ramBytes + 100, instructions: 0.8 * p.instructions + 5000 } };
    });
    const model = fitEstimator(points);
    expect(model.network.flashBytes.scale).toBeCloseTo(1.3, 3);
    expect(model.network.flashBytes.offset).toBeCloseTo(2000, 0);
    expect(model.fit!.fittedError.instructions).toBeLessThan(0.001);
    expect(model.fit!.priorError.flashBytes).toBeGreaterThan(0.2);
    const e = estimate(model, net(100_000, 6000), undefined);
    expect(e.instructions).toBeCloseTo(0.8 * priorNetwork(net(100_000, 6000)).instructions + 5000, -1);
    expect(estimate(UNFITTED, nets[0]!, undefined).flashBytes).toBe(priorNetwork(nets[0]!).flashBytes);
  });

  test('whole-library measurements (deploy) are preferred and fit the totals, DSP included', () => {
    const dsp = (work: number) => ({ block: 'dsp/mfcc', scratchBytes: 2000, outputBytes: 2600, tableBytes: 5000, work });
    const pts = [net(20_000, 1500), net(60_000, 4000), net(150_000, 9000)].map((n, i) => {
      const d = dsp(300_000 * (i + 1));
      const prior = estimate(UNFITTED, n, d);
      // Network instructions at 0.5× its prior, DSP at 0.3× its prior: one scale on the sum cannot fit both.
      const nnI = 0.5 * prior.nn.instructions;
      const dspI = 0.3 * prior.dsp.instructions;
      return { net: n, dsp: d, measured: { modelDigest: String(i), scope: 'library' as const, tool: 't', flashBytes: 0.9 * prior.flashBytes, ramBytes: prior.ramBytes + 500, instructions: nnI + dspI, nnInstructions: nnI, dspInstructions: dspI } };
    });
    const model = fitEstimator([...pts, { net: net(1000, 100), measured: { modelDigest: 'n', scope: 'network', tool: 't', flashBytes: 1, ramBytes: 1, instructions: 1 } }]);
    expect(model.fit!.scope).toBe('library');
    expect(model.fit!.points).toBe(3);
    const e = estimate(model, pts[1]!.net, pts[1]!.dsp);
    expect(e.flashBytes).toBeCloseTo(pts[1]!.measured.flashBytes, -1);
    expect(e.instructions).toBeCloseTo(pts[1]!.measured.instructions, -2);
    expect(model.instructionsSplit!.nn.scale).toBeCloseTo(0.5, 3);
    expect(model.instructionsSplit!.dsp.scale).toBeCloseTo(0.3, 3);
    expect(model.fit!.fittedError.instructions).toBeLessThan(0.001);
  });

  test('search space: seeded, distinct points; --set args round-trip as JSON', () => {
    const space = { 'mfcc.num_filters': [20, 32, 40], 'classifier.preset': ['a', 'b'] };
    const a = samplePoints(space, 6, 7);
    expect(new Set(a.map(pointId)).size).toBe(6);
    expect(samplePoints(space, 6, 7)).toEqual(a);
    expect(samplePoints(space, 10, 7)).toHaveLength(6);
    expect(toSetArgs({ 'mfcc.num_filters': 20, 'classifier.preset': 'a' })).toEqual(['classifier.preset="a"', 'mfcc.num_filters=20']);
  });
});
