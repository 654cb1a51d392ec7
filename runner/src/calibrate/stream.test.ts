import { describe, expect, test } from 'vitest';
import { buildStream } from './stream.js';

describe('continuous stream', () => {
  const clip = (v: number, n = 100) => new Float32Array(n).fill(v);
  const options = { frequency: 1000, gapMs: [50, 150] as [number, number], tailMs: 200, noiseRatio: 0.5, seed: 3 };

  test('clips placed after gaps, noise underneath at the asked level, deterministic', () => {
    const noise = Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : -1));
    const s = buildStream([{ label: 'yes', id: 'a', values: clip(2) }, { label: 'no', id: 'b', values: clip(4) }], [noise], options);
    expect(s.events.map((e) => e.label)).toEqual(['yes', 'no']);
    const [a, b] = s.events;
    expect(a!.startMs).toBe(50);
    expect(a!.endMs - a!.startMs).toBe(100);
    expect(b!.startMs - a!.endMs).toBeGreaterThanOrEqual(50);
    expect(b!.startMs - a!.endMs).toBeLessThanOrEqual(150);
    // After the last clip: one more gap, then the noise-only tail.
    expect(s.values.length).toBeGreaterThanOrEqual(b!.endMs + 50 + 200);
    expect(s.values.length).toBeLessThanOrEqual(b!.endMs + 150 + 200);
    // Noise RMS = 0.5 × mean clip RMS (3) = 1.5; inside a clip the clip adds on top.
    expect(Math.abs(s.values[0]!)).toBeCloseTo(1.5, 5);
    expect(s.values[a!.startMs + 1]! - s.values[1]!).toBeCloseTo(2, 5);
    expect(buildStream([{ label: 'yes', id: 'a', values: clip(2) }], [noise], options).values).toEqual(buildStream([{ label: 'yes', id: 'a', values: clip(2) }], [noise], options).values);
  });
});
