import type { Rng } from '../nn/rng.js';

/** Squared distance between row `xo` of x and row `co` of c (both d wide). */
export function dist2(x: Float64Array, xo: number, c: ArrayLike<number>, co: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const v = x[xo + k]! - c[co + k]!;
    s += v * v;
  }
  return s;
}

export interface KmeansFit {
  /** K × d centres, row-major. */
  centers: Float64Array;
  /** Cluster of each row. */
  assign: Int32Array;
  k: number;
}

/**
 * K-means on n rows of x (n × d, row-major): k-means++ seeding, then Lloyd iterations until no
 * row changes cluster or `maxIterations`. k must be ≤ n.
 */
export function kmeans(x: Float64Array, n: number, d: number, k: number, maxIterations: number, rng: Rng): KmeansFit {
  const c = new Float64Array(k * d);
  const first = rng.int(n);
  c.set(x.subarray(first * d, first * d + d), 0);
  const best = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.min(best[i]!, dist2(x, i * d, c, (j - 1) * d, d));
      total += best[i]!;
    }
    let r = rng.next() * total;
    let chosen = n - 1;
    for (let i = 0; i < n; i++) {
      r -= best[i]!;
      if (r <= 0) {
        chosen = i;
        break;
      }
    }
    c.set(x.subarray(chosen * d, chosen * d + d), j * d);
  }
  const assign = new Int32Array(n).fill(-1);
  for (let it = 0; it < maxIterations; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let bk = 0;
      let bd = Infinity;
      for (let j = 0; j < k; j++) {
        const dd = dist2(x, i * d, c, j * d, d);
        if (dd < bd) {
          bd = dd;
          bk = j;
        }
      }
      if (assign[i] !== bk) {
        assign[i] = bk;
        changed++;
      }
    }
    if (changed === 0) break;
    const sums = new Float64Array(k * d);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const j = assign[i]!;
      counts[j]!++;
      for (let m = 0; m < d; m++) sums[j * d + m] = sums[j * d + m]! + x[i * d + m]!;
    }
    for (let j = 0; j < k; j++) if (counts[j]! > 0) for (let m = 0; m < d; m++) c[j * d + m] = sums[j * d + m]! / counts[j]!;
  }
  return { centers: c, assign, k };
}

export interface KmeansCluster {
  center: number[];
  /** Distance of the cluster's farthest training member (EI's radius). */
  maxError: number;
}

/** EI's clusters: centres and radii (float32-rounded, as EI's generated C holds them). */
export function kmeansClusters(x: Float64Array, n: number, d: number, fit: KmeansFit): KmeansCluster[] {
  const maxError = new Float64Array(fit.k);
  for (let i = 0; i < n; i++) {
    const j = fit.assign[i]!;
    maxError[j] = Math.max(maxError[j]!, Math.sqrt(dist2(x, i * d, fit.centers, j * d, d)));
  }
  return Array.from({ length: fit.k }, (_, j) => ({ center: Array.from(fit.centers.subarray(j * d, j * d + d), Math.fround), maxError: Math.fround(maxError[j]!) }));
}

/** EI's score of a scaled vector: min over clusters of (distance to centre − radius). */
export function kmeansScore(clusters: readonly KmeansCluster[], z: Float64Array): number {
  let best = Infinity;
  for (const cl of clusters) best = Math.min(best, Math.sqrt(dist2(z, 0, cl.center, 0, z.length)) - cl.maxError);
  return best;
}
