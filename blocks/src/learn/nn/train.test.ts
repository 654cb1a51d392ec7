import { describe, expect, it } from 'vitest';
import { buildNetwork } from './network.js';
import { Rng } from './rng.js';
import { parseLayers } from './spec.js';
import { balancedClassWeights, splitValidation, train, trainingSchema } from './train.js';
import { classificationMetrics } from '../metrics.js';

describe('training loop', () => {
  it('early stopping on val_loss stops and restores the best epoch (random labels overfit fast)', () => {
    const rng = new Rng(2);
    const n = 200;
    const x = new Float64Array(n * 20).map(() => rng.uniform(-1, 1));
    const labels = Int32Array.from({ length: n }, () => rng.int(2));
    const net = buildNetwork(parseLayers([{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', activation: 'softmax' }]), [20], 2, new Rng(1));
    const settings = trainingSchema.parse({ epochs: 200, learningRate: 0.01, earlyStopping: { patience: 3 } });
    const r = train(net, { x: x.subarray(0, 150 * 20), n: 150, labels: labels.subarray(0, 150) }, { x: x.subarray(150 * 20), n: 50, labels: labels.subarray(150) }, { kind: 'classification', numClasses: 2 }, settings);
    expect(r.stoppedEarly).toBe(true);
    expect(r.curves.length).toBe(r.bestEpoch + 4);
    const best = Math.min(...r.curves.map((c) => c.val_loss!));
    expect(r.curves[r.bestEpoch - 1]!.val_loss).toBe(best);
  });

  it('class weights scale the loss per class', () => {
    expect(Array.from(balancedClassWeights([0, 0, 0, 1], 2))).toEqual([4 / 6, 2]);
    const x = new Float64Array([1, -1]);
    const mk = () => buildNetwork(parseLayers([{ type: 'dense', activation: 'softmax' }]), [1], 2, new Rng(1));
    const plain = train(mk(), { x, n: 2, labels: Int32Array.from([0, 1]) }, null, { kind: 'classification', numClasses: 2 }, trainingSchema.parse({ epochs: 1 }));
    const weighted = train(mk(), { x, n: 2, labels: Int32Array.from([0, 1]) }, null, { kind: 'classification', numClasses: 2, classWeights: Float64Array.from([2, 2]) }, trainingSchema.parse({ epochs: 1 }));
    expect(weighted.curves[0]!.loss).toBeCloseTo(2 * plain.curves[0]!.loss, 12);
  });
});

describe('validation split', () => {
  it('stratified: the same fraction of each class, deterministic per seed', () => {
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
    const a = splitValidation(labels, 0.25, 3);
    expect(a.val.filter((i) => labels[i] === 0)).toHaveLength(20);
    expect(a.val.filter((i) => labels[i] === 1)).toHaveLength(5);
    expect(splitValidation(labels, 0.25, 3)).toEqual(a);
    expect(splitValidation(labels, 0.25, 4)).not.toEqual(a);
  });

  it('augmented copies (grouped by source) stay on their source\'s side, classes stay stratified', () => {
    // 100 sources × (original + 2 copies); source k has class k % 2 (80/20 split of classes below).
    const src = Array.from({ length: 300 }, (_, i) => `clip${Math.floor(i / 3)}`);
    const labels = Int32Array.from(src, (g) => (Number(g.slice(4)) < 80 ? 0 : 1));
    const s = splitValidation(labels, 0.2, 5, src);
    const side = new Map<string, boolean>();
    s.val.forEach((i) => side.set(src[i]!, true));
    for (const i of s.train) expect(side.has(src[i]!)).toBe(false);
    expect(s.val.filter((i) => labels[i] === 0)).toHaveLength(48);
    expect(s.val.filter((i) => labels[i] === 1)).toHaveLength(12);
  });

  it('grouped: a group never straddles the split; size close to the fraction', () => {
    const groups = Array.from({ length: 300 }, (_, i) => `spk${i % 30}`);
    const labels = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    const s = splitValidation(labels, 0.2, 1, groups);
    const valGroups = new Set(s.val.map((i) => groups[i]));
    for (const i of s.train) expect(valGroups.has(groups[i])).toBe(false);
    expect(s.val.length).toBe(60);
  });
});

describe('classification metrics', () => {
  it('hand-checked precision, recall, F1, confusion and loss', () => {
    // truth 0,0,1,1; predicted 0,1,1,1.
    const probs = [0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7];
    const m = classificationMetrics(probs, [0, 0, 1, 1], ['a', 'b']);
    expect(m.confusion).toEqual([
      [1, 1],
      [0, 2],
    ]);
    expect(m.accuracy).toBe(0.75);
    expect(m.perClass['a']).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(m.perClass['b']!.precision).toBeCloseTo(2 / 3, 12);
    expect(m.perClass['b']!.f1).toBeCloseTo(0.8, 12);
    expect(m.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.8) + Math.log(0.7)) / 4, 12);
  });
});
