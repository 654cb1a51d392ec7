/**
 * C[M×N] (+)= A[M×K] · Bᵀ where B is stored N×K: every inner loop is a contiguous dot product
 * over a 2-row × 4-column tile (8 accumulators: 6 loads feed 8 multiply-adds). The summation
 * order is fixed, so results are reproducible run to run.
 */
export function gemmABt(A: Float64Array, M: number, K: number, B: Float64Array, N: number, C: Float64Array, accumulate: boolean): void {
  const N4 = N - (N % 4);
  let m = 0;
  for (; m + 1 < M; m += 2) {
    const a0 = m * K;
    const a1 = a0 + K;
    const c0 = m * N;
    const c1 = c0 + N;
    let n = 0;
    for (; n < N4; n += 4) {
      const b0 = n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k]!;
        const x1 = A[a1 + k]!;
        const w0 = B[b0 + k]!;
        const w1 = B[b1 + k]!;
        const w2 = B[b2 + k]!;
        const w3 = B[b3 + k]!;
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
      }
      if (accumulate) {
        C[c0 + n] = C[c0 + n]! + s00;
        C[c0 + n + 1] = C[c0 + n + 1]! + s01;
        C[c0 + n + 2] = C[c0 + n + 2]! + s02;
        C[c0 + n + 3] = C[c0 + n + 3]! + s03;
        C[c1 + n] = C[c1 + n]! + s10;
        C[c1 + n + 1] = C[c1 + n + 1]! + s11;
        C[c1 + n + 2] = C[c1 + n + 2]! + s12;
        C[c1 + n + 3] = C[c1 + n + 3]! + s13;
      } else {
        C[c0 + n] = s00;
        C[c0 + n + 1] = s01;
        C[c0 + n + 2] = s02;
        C[c0 + n + 3] = s03;
        C[c1 + n] = s10;
        C[c1 + n + 1] = s11;
        C[c1 + n + 2] = s12;
        C[c1 + n + 3] = s13;
      }
    }
    for (; n < N; n++) {
      const bo = n * K;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < K; k++) {
        const w = B[bo + k]!;
        s0 += A[a0 + k]! * w;
        s1 += A[a1 + k]! * w;
      }
      C[c0 + n] = accumulate ? C[c0 + n]! + s0 : s0;
      C[c1 + n] = accumulate ? C[c1 + n]! + s1 : s1;
    }
  }
  for (; m < M; m++) {
    const ao = m * K;
    const co = m * N;
    for (let n = 0; n < N; n++) {
      const bo = n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ao + k]! * B[bo + k]!;
      C[co + n] = accumulate ? C[co + n]! + s : s;
    }
  }
}

/** out[N×M] = transpose of a[M×N]. */
export function transpose(a: Float64Array, M: number, N: number, out: Float64Array): Float64Array {
  for (let m = 0; m < M; m++) {
    const ro = m * N;
    for (let n = 0; n < N; n++) out[n * M + m] = a[ro + n]!;
  }
  return out;
}
