/**
 * C code generation for DSP blocks (the built-in blocks' emitters live in blocks/src/dsp). A DSP
 * block that should run on a device ships `emitC`; a deploy target calls it with the block's
 * parsed params and the input the device will feed it.
 */

/** What the device will feed the block: one window of `frames` time steps × `axes` (interleaved). */
export interface CInputInfo {
  /** Samples per axis in one window (or pixels for images: then use `shape`). */
  frames: number;
  axes: number;
  /** Sampling frequency in Hz (time series). */
  frequency?: number;
  /** [height, width, channels] for images. */
  shape?: number[];
}

/** Portable C99 for one block, everything baked in: float32, `static const` tables, no heap. */
export interface CEmission {
  /** C identifier prefix of everything emitted (`mfcc`, `mfe_2`, …). */
  prefix: string;
  /** File name → contents; the .c files to compile (the header is `header`, named `<prefix>.h`). */
  sources: Record<string, string>;
  header: string;
  /** Floats the entry reads from `in`. */
  inputSize: number;
  /** Floats the entry writes to `out`. */
  outputSize: number;
  /** Bytes of the `scratch` buffer the entry needs (0 when it needs none). */
  ramBytes: number;
  /** `int <entry>(const float *in, float *out, float *scratch)`: 0 on success, 1 when the input holds NaN/Inf. */
  entry: string;
}

export type EmitC<P> = (params: P, input: CInputInfo) => CEmission;
