import { describe, expect, it } from 'vitest';
import { fitLength } from './crop-pad.js';
import { cropPadSample } from './index.js';

const v = (...x: number[]) => new Float32Array(x);

describe('fitLength', () => {
  it('pads at the end, both sides or the start', () => {
    expect(fitLength(v(1, 2, 3), 1, 6, 'start')).toEqual(v(1, 2, 3, 0, 0, 0));
    expect(fitLength(v(1, 2, 3), 1, 6, 'center')).toEqual(v(0, 1, 2, 3, 0, 0));
    expect(fitLength(v(1, 2, 3), 1, 6, 'end')).toEqual(v(0, 0, 0, 1, 2, 3));
    expect(fitLength(v(1, 2), 1, 4, 'start', -1)).toEqual(v(1, 2, -1, -1));
  });
  it('crops keeping the start, middle or end, frame-wise for several axes', () => {
    expect(fitLength(v(1, 2, 3, 4, 5), 1, 3, 'start')).toEqual(v(1, 2, 3));
    expect(fitLength(v(1, 2, 3, 4, 5), 1, 3, 'center')).toEqual(v(2, 3, 4));
    expect(fitLength(v(1, 2, 3, 4, 5), 1, 3, 'end')).toEqual(v(3, 4, 5));
    expect(fitLength(v(1, 10, 2, 20, 3, 30), 2, 2, 'end')).toEqual(v(2, 20, 3, 30));
  });
  it('sets shape on samples from a length in ms', () => {
    const s = cropPadSample({ id: 'a', label: null, category: 'train', sensors: [{ name: 'audio', units: 'wav' }], intervalMs: 0.0625, values: new Float32Array(5000).fill(1) }, { lengthMs: 1000, align: 'start', padValue: 0 });
    expect(s.shape).toEqual([16000, 1]);
    expect(s.values[4999]).toBe(1);
    expect(s.values[5000]).toBe(0);
  });
});
