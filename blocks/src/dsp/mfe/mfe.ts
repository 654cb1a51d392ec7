/**
 * MFE kernel (Edge Impulse `mfe`, implementation version 4): x/2^15 in float32, circular
 * pre-emphasis (0.98, shift 1) in float32, rectangular frames cropped/zero-padded to the FFT
 * length, mel energies, dB, noise-floor normalisation, 8-bit quantisation (k/256).
 *
 * Deliberate difference from the reference: Edge Impulse casts round(x·256) to uint8 before
 * clipping, so a cell that rounds to 256/256 (the loudest ones) wraps to 0. That is a bug (the
 * loudest energy reads as silence); here such a cell saturates at 255/256. See mfe.test.ts.
 */
import { audioFrames, FilterbankCache, Scratch, type MelFrameConfig } from '../common/audio.js';
import { createRealFftPlan, powerSpectra, type RealFftPlan } from '../common/fft.js';
import { melEnergies } from '../common/mel.js';

export interface MfeConfig extends MelFrameConfig {
  noiseFloorDb: number;
}

export interface MfePlan {
  config: MfeConfig;
  fft: RealFftPlan;
  banks: FilterbankCache;
  /** Power spectra of all frames, frame-major. */
  power: Scratch;
  /** Frame energies (powerSpectra's by-product; MFE does not use them). */
  energy: Scratch;
  /** Mel energies of all frames, frame-major. */
  mel: Scratch;
  signal: Scratch;
  /** The quantiser: thresholds[k], the smallest mel energy that quantises to at least k/256, and a lookup into them. */
  quantiser: QuantisationLut;
}

export function createMfePlan(config: MfeConfig): MfePlan {
  const fft = createRealFftPlan(config.fftLength);
  return {
    config,
    fft,
    banks: new FilterbankCache(config.numFilters, config.fftLength, config.lowFrequency, config.highFrequency),
    power: new Scratch(),
    energy: new Scratch(),
    mel: new Scratch(),
    signal: new Scratch(),
    quantiser: quantisationLut(config.noiseFloorDb),
  };
}

export function mfeShape(config: MfeConfig, frequency: number, length: number): [number, number] {
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  return [layout.count, config.numFilters];
}

const PRE_COF = Math.fround(0.98);

/** Round half to even, like numpy.around. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Quantises a normalised value in [0, 1] to k/256, saturating at 255/256 (no wrap to 0). */
export function quantize256(x: number): number {
  const q = roundHalfEven(x * 256);
  return (q > 255 ? 255 : q) / 256;
}

/** The MFE output step (k/256) of one mel energy, by the reference formula (dB, noise floor, clip, round). */
export function quantizeEnergy(energy: number, noiseFloorDb: number): number {
  const db = 10 * Math.log10(energy < 1e-30 ? 1e-30 : energy);
  let x = (db - noiseFloorDb) / (-noiseFloorDb + 12);
  x = x < 0 ? 0 : x > 1 ? 1 : x;
  return quantize256(x);
}

/**
 * The energies where `quantizeEnergy` steps up: thresholds[k] is the smallest double e with
 * quantizeEnergy(e) ≥ k/256, found by bisection on the bit patterns (positive doubles sort like
 * their bits). Comparing against these gives exactly the formula's result without a log per cell.
 */
export function quantisationThresholds(noiseFloorDb: number): Float64Array {
  const value = new Float64Array(1);
  const bits = new BigInt64Array(value.buffer);
  const thresholds = new Float64Array(256);
  thresholds[0] = -Infinity;
  let lo = 0n;
  for (let k = 1; k <= 255; k++) {
    let hi = 0x7ff0000000000000n; // +Infinity
    // Invariant: quantizeEnergy(lo) < k/256 ≤ quantizeEnergy(hi).
    while (hi - lo > 1n) {
      const mid = (lo + hi) >> 1n;
      bits[0] = mid;
      if (quantizeEnergy(value[0]!, noiseFloorDb) * 256 >= k) hi = mid;
      else lo = mid;
    }
    bits[0] = hi;
    thresholds[k] = value[0]!;
  }
  return thresholds;
}

/**
 * A lookup on the leading bits of the energy's double (exponent and top mantissa bits): `first[cell]`
 * is the step of the cell's smallest value, and cells are narrow enough that at most two
 * thresholds fall inside one, so two compares finish the job. No data-dependent branch: real
 * energies are random, and a mispredicted search step costs more than the arithmetic.
 */
export interface QuantisationLut {
  /** thresholds[1…255] (thresholds[0] = −∞), then two +∞ guards. */
  thresholds: Float64Array;
  /** Right shift of the double's high 32 bits that leaves the cell number. */
  shift: number;
  /** Cell number of first[0]. */
  cellMin: number;
  first: Uint8Array;
}

const bitsF64 = new Float64Array(1);
const bitsHigh = new Int32Array(bitsF64.buffer, 4, 1); // high word of the double (little-endian)

export function quantisationLut(noiseFloorDb: number): QuantisationLut {
  const thresholds = new Float64Array(258).fill(Infinity);
  thresholds.set(quantisationThresholds(noiseFloorDb));
  // Steps are even in dB, (12 − floor)/256 dB each; start with cells about a third of a step wide.
  const stepsPerOctave = 256 / ((12 - noiseFloorDb) / (10 * Math.log10(2)));
  for (let bits = Math.max(0, Math.ceil(Math.log2(3 * stepsPerOctave))); ; bits++) {
    const lut = tryLut(thresholds, Math.min(20, bits));
    if (lut || bits >= 20) {
      if (!lut) throw new Error(`no quantisation lookup for noise floor ${noiseFloorDb} dB`);
      return lut;
    }
  }
}

/** The lookup with `mantissaBits` bits per cell, or null when some cell holds more than two thresholds. */
function tryLut(thresholds: Float64Array, mantissaBits: number): QuantisationLut | null {
  const shift = 20 - mantissaBits;
  const cellOf = (x: number): number => {
    bitsF64[0] = x;
    return bitsHigh[0]! >> shift;
  };
  // One cell below thresholds[1]'s, so everything under the table is step 0.
  const cellMin = cellOf(thresholds[1]!) - 1;
  const cellMax = cellOf(thresholds[255]!);
  const first = new Uint8Array(cellMax - cellMin + 1);
  const low = new Float64Array(1);
  const lowBits = new Int32Array(low.buffer);
  // stepAt(c): the number of thresholds ≤ the smallest double of cell c. A value in cell c has
  // a step in stepAt(c) … stepAt(c + 1); the cell after the last one is past thresholds[255].
  let k = 0;
  for (let c = cellMin; c <= cellMax + 1; c++) {
    lowBits[0] = 0;
    lowBits[1] = c << shift;
    while (k < 255 && low[0]! >= thresholds[k + 1]!) k++;
    if (c > cellMin && k - first[c - 1 - cellMin]! > 2) return null;
    if (c <= cellMax) first[c - cellMin] = k;
  }
  return { thresholds, shift, cellMin, first };
}

/** k/256 for the largest k with thresholds[k] ≤ energy (energy ≥ 0; +∞ gives 255/256). */
export function quantizeMelEnergy(q: QuantisationLut, e: number): number {
  bitsF64[0] = e;
  let cell = (bitsHigh[0]! >> q.shift) - q.cellMin;
  cell &= ~(cell >> 31); // below the table: cell 0
  const over = q.first.length - 1 - cell;
  cell += over & (over >> 31); // above: the last cell
  const t = q.thresholds;
  let k = q.first[cell]!;
  k += +(e >= t[k + 1]!);
  k += +(e >= t[k + 1]!);
  return (k > 255 ? 255 : k) / 256;
}

/**
 * MFE of a single-axis signal (raw int16 values); `out` holds frames × numFilters values.
 * Returns false when the signal holds a NaN or ±Infinity (the caller then names it).
 */
export function mfe(plan: MfePlan, signal: ArrayLike<number>, frequency: number, out: Float32Array): boolean {
  const { config, fft, quantiser } = plan;
  const length = signal.length;
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  const bank = plan.banks.get(frequency);
  const y = plan.signal.get(length);
  const finite = preEmphasis32(signal, y);
  const nf = config.numFilters;
  const frames = layout.count;
  const power = plan.power.get(fft.bins * frames);
  powerSpectra(fft, y, layout.stride, layout.length, frames, power, plan.energy.get(frames));
  const mel = plan.mel.get(nf * frames);
  melEnergies(bank, power, frames, mel);
  for (let i = 0; i < nf * frames; i++) out[i] = quantizeMelEnergy(quantiser, mel[i]!);
  return finite;
}

/**
 * x/2^15 then circular pre-emphasis (0.98, shift 1), all float32 like the reference. x/2^15 of a
 * float32 is exact, so only the product and the difference need rounding. The input sum rides
 * along as the NaN/Inf check (finite exactly when every value is, barring overflow).
 */
function preEmphasis32(signal: ArrayLike<number>, y: Float64Array): boolean {
  const f32 = Math.fround;
  const length = signal.length;
  let prev = f32(signal[length - 1]! / 32768);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const s = signal[i]!;
    const x = f32(s / 32768);
    y[i] = f32(x - f32(PRE_COF * prev));
    prev = x;
    sum += s;
  }
  return Number.isFinite(sum);
}
