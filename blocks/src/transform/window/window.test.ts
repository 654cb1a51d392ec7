import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import { windowSample } from './index.js';
import { cutWindow, labelOfWindow, windowStarts } from './window.js';

describe('windowStarts', () => {
  it('places windows every stride while they fit, Edge Impulse style', () => {
    expect(windowStarts(10, 4, 2, true)).toEqual([0, 2, 4, 6]);
    expect(windowStarts(10, 4, 3, true)).toEqual([0, 3, 6]);
    expect(windowStarts(4, 4, 1, false)).toEqual([0]);
  });
  it('zero-pads a short sample into one window only with padZeros', () => {
    expect(windowStarts(3, 4, 2, true)).toEqual([0]);
    expect(windowStarts(3, 4, 2, false)).toEqual([]);
    expect(cutWindow(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 0, 4)).toEqual(new Float32Array([1, 2, 3, 4, 5, 6, 0, 0]));
  });
});

describe('transform/window', () => {
  const frames = 50; // 1 s at 50 Hz, 3 axes, value = frame*10 + axis
  const values = Float32Array.from({ length: frames * 3 }, (_, i) => Math.floor(i / 3) * 10 + (i % 3));
  const sample: Sample = { id: 'acc/a.csv[0-50]', label: 'WALKING', category: 'test', sensors: [{ name: 'x', units: 'g' }, { name: 'y', units: 'g' }, { name: 'z', units: 'g' }], intervalMs: 20, values, shape: [frames, 3], meta: { source: 'acc/a.csv' } };

  it('cuts ms-sized windows with ids <id>#n, inherited label and category', () => {
    const w = windowSample(sample, { sizeMs: 400, strideMs: 200, padZeros: true, minLabelCoverage: 0.5, dropUnlabelled: false });
    expect(w.map((s) => s.id)).toEqual(['acc/a.csv[0-50]#0', 'acc/a.csv[0-50]#1', 'acc/a.csv[0-50]#2', 'acc/a.csv[0-50]#3']);
    for (const s of w) expect(s).toMatchObject({ label: 'WALKING', category: 'test', shape: [20, 3], intervalMs: 20 });
    expect(w[1]!.values[0]).toBe(100); // frame 10, axis 0
    expect(w[1]!.values[59]).toBe(292); // frame 29, axis 2
    expect(w[3]!.meta).toMatchObject({ source: 'acc/a.csv', parent: 'acc/a.csv[0-50]', windowIndex: 3, windowStartMs: 600 });
  });

  it('pads a short sample (EI padZeros) or drops it', () => {
    const [one] = windowSample(sample, { sizeMs: 2000, strideMs: 500, padZeros: true, minLabelCoverage: 0.5, dropUnlabelled: false });
    expect(one!.shape).toEqual([100, 3]);
    expect(one!.values[149]).toBe(492);
    expect(one!.values[150]).toBe(0);
    expect(windowSample(sample, { sizeMs: 2000, strideMs: 500, padZeros: false, minLabelCoverage: 0.5, dropUnlabelled: false })).toEqual([]);
  });

  it('labels windows from meta.labelRanges by coverage, keeping ids stable when dropping', () => {
    const annotated: Sample = { ...sample, label: null, meta: { source: 'acc/a.csv', labelRanges: [{ label: 'SIT', start: 0, end: 22 }, { label: 'STAND', start: 35, end: 50 }] } };
    const p = { sizeMs: 400, strideMs: 200, padZeros: true, minLabelCoverage: 0.5, dropUnlabelled: false };
    // windows [0,20) [10,30) [20,40) [30,50): SIT 20/20, SIT 12/20, none ≥ 10, STAND 15/20
    expect(windowSample(annotated, p).map((w) => w.label)).toEqual(['SIT', 'SIT', null, 'STAND']);
    const kept = windowSample(annotated, { ...p, dropUnlabelled: true });
    expect(kept.map((w) => w.id)).toEqual(['acc/a.csv[0-50]#0', 'acc/a.csv[0-50]#1', 'acc/a.csv[0-50]#3']);
    expect(kept[0]!.meta).not.toHaveProperty('labelRanges');
    expect(labelOfWindow([{ label: 'a', start: 0, end: 5 }], 0, 20, 0.25)).toBe('a');
    expect(labelOfWindow([{ label: 'a', start: 0, end: 4 }], 0, 20, 0.25)).toBeNull();
  });
});
