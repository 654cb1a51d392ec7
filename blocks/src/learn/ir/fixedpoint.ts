/**
 * TFLite / gemmlowp integer arithmetic, bit for bit (default double rounding, i.e. TFLite built
 * without TFLITE_SINGLE_ROUNDING). JS traps handled here: Math.round rounds halves toward +∞
 * (TFLite rounds away from zero), 32×32-bit products need 64 bits, and int32 wrap-around must
 * be explicit (`| 0`).
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO31 = 2147483648;

/** std::round: halves away from zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** gemmlowp SaturatingRoundingDoublingHighMul: high 32 bits of 2·a·b, rounded half away from zero. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = a * b;
  // Exact in double while |ab| < 2^53; otherwise take the 64-bit path.
  if (Math.abs(ab) <= 9007199254740991) {
    const nudge = ab >= 0 ? 1073741824 : 1 - 1073741824;
    return Math.trunc((ab + nudge) / TWO31) | 0;
  }
  const ab64 = BigInt(a) * BigInt(b);
  const nudge = ab64 >= 0n ? 1073741824n : 1n - 1073741824n;
  return Number(BigInt.asIntN(32, (ab64 + nudge) / 2147483648n));
}

/** gemmlowp RoundingDivideByPOT: arithmetic shift right, rounding to nearest, ties away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return ((x >> exponent) + (remainder > threshold ? 1 : 0)) | 0;
}

/** gemmlowp SaturatingRoundingMultiplyByPOT<exponent> for int32. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x << exponent) | 0;
}

/** TFLite MultiplyByQuantizedMultiplier (double rounding): x · M · 2^shift. */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(Math.imul(x, 1 << left), multiplier), right);
}

/** TFLite MultiplyByQuantizedMultiplierGreaterThanOne. */
export function multiplyByQuantizedMultiplierGreaterThanOne(x: number, multiplier: number, leftShift: number): number {
  return saturatingRoundingDoublingHighMul(Math.imul(x, 1 << leftShift), multiplier);
}

/** C frexp: x = q · 2^e with |q| in [0.5, 1). */
export function frexp(x: number): { q: number; e: number } {
  if (x === 0 || !Number.isFinite(x)) return { q: x, e: 0 };
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  let q = x / Math.pow(2, e);
  while (Math.abs(q) >= 1) {
    q /= 2;
    e++;
  }
  while (Math.abs(q) < 0.5) {
    q *= 2;
    e--;
  }
  return { q, e };
}

/** TFLite QuantizeMultiplier: real multiplier (double) → int32 Q31 multiplier and power-of-two shift. */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { q, e } = frexp(real);
  let shift = e;
  let qFixed = roundHalfAway(q * TWO31);
  if (qFixed === TWO31) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: qFixed, shift };
}

/** Count of leading zero bits of a uint32. */
export const clz32 = Math.clz32;

// --- gemmlowp fixed-point functions used by the int8 softmax (raw int32 values). ---

/** FixedPoint<0> × FixedPoint<0> and friends: the raw product is SRDHM. */
const mul = saturatingRoundingDoublingHighMul;

function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact in double
  const sign = sum >= 0 ? 1 : -1;
  return Math.trunc((sum + sign) / 2) | 0;
}

/** exp(x) for x in [-1/4, 0), Q0.31 in and out. */
function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668;
  const constant1Over3 = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((mul((x4Over4 + x3) | 0, constant1Over3) + x2) | 0, 1);
  return (constantTerm + mul(constantTerm, (x + poly) | 0)) | 0;
}

/** gemmlowp exp_on_negative_values for FixedPoint<int32, integerBits>; returns Q0.31. */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = (oneQuarter - 1) | 0;
  const aModQuarterMinusOneQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits));
  const remainder = (aModQuarterMinusOneQuarter - a) | 0;
  const barrel: [number, number][] = [
    [-2, 1672461947],
    [-1, 1302514674],
    [0, 790015084],
    [1, 290630308],
    [2, 39332535],
    [3, 720401],
    [4, 242],
  ];
  for (const [exponent, multiplier] of barrel) {
    if (integerBits > exponent) {
      const shiftAmount = fractionalBits + exponent;
      if ((remainder & (1 << shiftAmount)) !== 0) result = mul(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clamp = -(1 << (36 - integerBits));
    if (a < clamp) result = 0;
  }
  return a === 0 ? INT32_MAX : result;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1, Q0.31 in and out. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const c48Over17 = 1515870810;
  const cNeg32Over17 = -1010580540;
  let x = (c48Over17 + mul(halfDenominator, cNeg32Over17)) | 0; // Q2.29
  const oneQ2 = 1 << 29;
  for (let i = 0; i < 3; i++) {
    const hdx = mul(halfDenominator, x);
    const oneMinus = (oneQ2 - hdx) | 0;
    x = (x + saturatingRoundingMultiplyByPOT(mul(x, oneMinus), 2)) | 0;
  }
  // ExactMulByPot<-1> keeps the raw value (Q1.30), Rescale<0> doubles it with saturation.
  return saturatingRoundingMultiplyByPOT(x, 1);
}

/** TFLite GetReciprocal: 1/x for a FixedPoint<int32, xIntegerDigits> sum, as Q0.31 plus a shift. */
export function getReciprocal(x: number, xIntegerDigits: number): { reciprocal: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x >>> 0);
  const numBitsOverUnit = xIntegerDigits - headroomPlusOne;
  const shiftedSumMinusOne = (((x >>> 0) * Math.pow(2, headroomPlusOne)) % 4294967296) - TWO31;
  return { reciprocal: oneOverOnePlusXForXIn01(shiftedSumMinusOne | 0), numBitsOverUnit };
}
