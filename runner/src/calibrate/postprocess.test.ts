import { describe, expect, test } from 'vitest';
import { PostProcessor, postProcess } from './postprocess.js';
import { scoreDetections } from './score-detections.js';

// Labels: 0 = noise, 1 = yes, 2 = no. Keywords: 1, 2.
const s = (yes: number, no: number): number[] => [1 - yes - no, yes, no];

describe('post-processing (continuous mode)', () => {
  test('averages the last n inferences, oldest first, and fires at the threshold', () => {
    // n = round(500 / 250) = 2: averages (0.2, 0.9) = 0.55 < 0.6, then (0.9, 0.9) = 0.9.
    const d = postProcess([s(0.2, 0), s(0.9, 0), s(0.9, 0)], [1, 2], { averageWindowMs: 500, detectionThreshold: 0.6, suppressionMs: 0 }, 250, 1000);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ index: 2, timeMs: 1500, label: 1 });
    expect(d[0]!.score).toBeCloseTo(0.9, 6);
  });

  test('suppression: no second detection within suppressionMs of the first', () => {
    const stream = Array.from({ length: 8 }, () => s(0, 0.8));
    const params = { averageWindowMs: 250, detectionThreshold: 0.5 };
    expect(postProcess(stream, [1, 2], { ...params, suppressionMs: 0 }, 250, 1000)).toHaveLength(8);
    // Fires at 1000, suppressed until 1750: next at 1750, then 2500 (index 6).
    expect(postProcess(stream, [1, 2], { ...params, suppressionMs: 750 }, 250, 1000).map((x) => x.timeMs)).toEqual([1000, 1750, 2500]);
  });

  test('the streaming class and the batch function agree; the ring wraps correctly', () => {
    const stream = Array.from({ length: 40 }, (_, i) => s(Math.abs(Math.sin(i)) * 0.7, Math.abs(Math.cos(i * 1.3)) * 0.3));
    const p = new PostProcessor({ averageWindowMs: 750, detectionThreshold: 0.45, suppressionMs: 250 }, [1, 2], 250, 1000);
    const streamed = stream.map((x) => p.push(x)).filter((x) => x !== null);
    const batch = postProcess(stream, [1, 2], { averageWindowMs: 750, detectionThreshold: 0.45, suppressionMs: 250 }, 250, 1000);
    expect(streamed).toEqual(batch);
    // Check one average by hand: index 10 with n = 3 averages inferences 8, 9, 10.
    const manual = (stream[8]![1]! + stream[9]![1]! + stream[10]![1]!) / 3;
    const at10 = batch.find((x) => x.index === 10);
    if (at10 && at10.label === 1) expect(at10.score).toBeCloseTo(manual, 5);
  });

  test('scoring: hits, misses, repeats and false activations', () => {
    const events = [
      { label: 'yes', startMs: 1000, endMs: 2000, clip: 'a' },
      { label: 'no', startMs: 5000, endMs: 6000, clip: 'b' },
    ];
    const detections = [
      { index: 0, timeMs: 1500, label: 1, score: 1 }, // hit yes
      { index: 1, timeMs: 2500, label: 1, score: 1 }, // repeat within the same event zone
      { index: 2, timeMs: 4000, label: 2, score: 1 }, // false activation (no event near)
      { index: 3, timeMs: 5500, label: 1, score: 1 }, // wrong label during "no": false activation of yes
    ];
    const r = scoreDetections(detections, ['noise', 'yes', 'no'], [1, 2], events, 3_600_000, 1000);
    expect(r.perLabel['yes']).toMatchObject({ events: 1, truePositives: 1, falsePositives: 1, frr: 0 });
    expect(r.perLabel['no']).toMatchObject({ events: 1, truePositives: 0, falseNegatives: 1, falsePositives: 1, frr: 1 });
    expect(r.farPerHour).toBe(2);
    expect(r.maxFrr).toBe(1);
  });
});
