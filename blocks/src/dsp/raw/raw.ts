/** Raw kernel (Edge Impulse `raw`): the interleaved window, multiplied by `scale-axes`. */
export function raw(values: ArrayLike<number>, scaleAxes: number, out: Float32Array): void {
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * scaleAxes;
}
