/**
 * A problem with the signal or the params that a kernel finds while running (too short, filters
 * above Nyquist…). Kernels stay free of the SDK; blocks turn it into a TinyforgeError naming the sample.
 */
export class DspError extends Error {
  override readonly name = 'DspError';
}
