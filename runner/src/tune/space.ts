import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.js';

/** One point of the search space: param path → value. */
export type Point = Record<string, unknown>;

/** Points of the grid in a seeded random order, without repeats (at most `limit`). */
export function samplePoints(space: Record<string, readonly unknown[]>, limit: number, seed: number): Point[] {
  const keys = Object.keys(space).sort();
  const sizes = keys.map((k) => space[k]!.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  const rng = mulberry32(seed);
  const indices: number[] = [];
  if (total <= 100_000) {
    // Fisher–Yates over the whole grid: every point at most once.
    const all = Array.from({ length: total }, (_, i) => i);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    indices.push(...all.slice(0, limit));
  } else {
    const seen = new Set<number>();
    while (indices.length < limit && seen.size < total) {
      const i = Math.floor(rng() * total);
      if (!seen.has(i)) indices.push(i), seen.add(i);
    }
  }
  return indices.map((index) => {
    const point: Point = {};
    let rest = index;
    keys.forEach((k, d) => {
      point[k] = space[k]![rest % sizes[d]!];
      rest = Math.floor(rest / sizes[d]!);
    });
    return point;
  });
}

/** `--set` arguments of a point (values as JSON, which `--set` parses back exactly). */
export function toSetArgs(point: Point): string[] {
  return Object.keys(point)
    .sort()
    .map((k) => `${k}=${JSON.stringify(point[k])}`);
}

/** Stable id of a point: same params → same id, in any run. */
export function pointId(point: Point): string {
  return createHash('sha256').update(canonicalJson(point)).digest('hex').slice(0, 12);
}

/** Small, fast, seedable PRNG (mulberry32): reproducible search orders. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
