/**
 * First principal components of row vectors by power iteration with deflation, never forming
 * the d×d covariance: each step is two passes over the data (X^T (X v)). Deterministic start.
 */
export function principalComponents(rows: readonly Float32Array[], components = 2, iterations = 60): { projection: number[][]; explained: number[] } {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  if (n === 0 || d === 0) return { projection: [], explained: [] };
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  const centered = rows.map((r) => {
    const c = new Float64Array(d);
    for (let j = 0; j < d; j++) c[j] = r[j]! - mean[j]!;
    return c;
  });
  let total = 0;
  for (const c of centered) for (let j = 0; j < d; j++) total += c[j]! * c[j]!;
  const found: Float64Array[] = [];
  const explained: number[] = [];
  for (let k = 0; k < Math.min(components, d); k++) {
    let v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = Math.sin(j * 12.9898 + k * 78.233) + 0.5; // fixed start: same plot every time
    let eigen = 0;
    for (let it = 0; it < iterations; it++) {
      const next = new Float64Array(d);
      for (const c of centered) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += c[j]! * v[j]!;
        for (let j = 0; j < d; j++) next[j]! += dot * c[j]!;
      }
      for (const prev of found) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += next[j]! * prev[j]!;
        for (let j = 0; j < d; j++) next[j]! -= dot * prev[j]!;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += next[j]! * next[j]!;
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      eigen = norm;
      for (let j = 0; j < d; j++) next[j]! /= norm;
      v = next;
    }
    found.push(v);
    explained.push(total > 0 ? eigen / total : 0);
  }
  const projection = centered.map((c) =>
    found.map((v) => {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += c[j]! * v[j]!;
      return dot;
    }),
  );
  return { projection, explained };
}
