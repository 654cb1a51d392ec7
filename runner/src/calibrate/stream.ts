import { mulberry32 } from '../tune/space.js';

/** A keyword (or distractor) clip placed in the stream. */
export interface StreamEvent {
  label: string;
  startMs: number;
  endMs: number;
  clip: string;
}

export interface Stream {
  values: Float32Array;
  frequency: number;
  events: StreamEvent[];
  durationMs: number;
}

export interface StreamOptions {
  frequency: number;
  /** Noise between clips, ms: uniform in [min, max]. */
  gapMs: [number, number];
  /** Extra noise-only audio at the end (false activations are counted on it too), ms. */
  tailMs: number;
  /** Background level as an RMS relative to the mean clip RMS. */
  noiseRatio: number;
  seed: number;
}

/**
 * Splices clips into a continuous background: noise recordings looped end to end, each clip
 * added on top at a random gap after the previous one. Deterministic for a seed.
 */
export function buildStream(clips: readonly { label: string; id: string; values: Float32Array }[], noises: readonly Float32Array[], o: StreamOptions): Stream {
  const rng = mulberry32(o.seed);
  const perMs = o.frequency / 1000;
  const events: StreamEvent[] = [];
  let at = Math.round(o.gapMs[0] * perMs);
  for (const clip of clips) {
    events.push({ label: clip.label, clip: clip.id, startMs: at / perMs, endMs: (at + clip.values.length) / perMs });
    at += clip.values.length + Math.round((o.gapMs[0] + rng() * (o.gapMs[1] - o.gapMs[0])) * perMs);
  }
  const total = at + Math.round(o.tailMs * perMs);
  const values = new Float32Array(total);
  const rms = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / Math.max(1, v.length));
  const clipRms = clips.length ? clips.reduce((s, c) => s + rms(c.values), 0) / clips.length : 1;
  const usable = noises.filter((n) => n.length > 0 && rms(n) > 0);
  if (usable.length > 0) {
    let pos = 0;
    let which = Math.floor(rng() * usable.length);
    while (pos < total) {
      const n = usable[which % usable.length]!;
      const gain = (o.noiseRatio * clipRms) / rms(n);
      const len = Math.min(n.length, total - pos);
      for (let i = 0; i < len; i++) values[pos + i] = n[i]! * gain;
      pos += len;
      which++;
    }
  }
  clips.forEach((clip, k) => {
    const start = Math.round(events[k]!.startMs * perMs);
    for (let i = 0; i < clip.values.length; i++) values[start + i] = values[start + i]! + clip.values[i]!;
  });
  return { values, frequency: o.frequency, events, durationMs: total / perMs };
}
