import { describe, expect, it } from 'vitest';
import {
  INT32_MAX,
  INT32_MIN,
  frexp,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAway,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  expOnNegativeValues,
  oneOverOnePlusXForXIn01,
} from './fixedpoint.js';

describe('TFLite/gemmlowp integer arithmetic (hand-worked values)', () => {
  it('roundHalfAway rounds halves away from zero (Math.round does not)', () => {
    expect([2.5, -2.5, 0.5, -0.5, 1.4999, -1.5].map(roundHalfAway)).toEqual([3, -3, 1, -1, 1, -2]);
    expect(Math.round(-2.5)).toBe(-2); // the trap this guards against
  });

  it('RoundingDivideByPOT: nearest, ties away from zero', () => {
    // 5/2 = 2.5 → 3, −5/2 → −3, 3/2 → 2, −3/2 → −2, 6/4 → 2, −6/4 → −2, −2/4 = −0.5 → −1, −1/4 → 0
    expect([roundingDivideByPOT(5, 1), roundingDivideByPOT(-5, 1), roundingDivideByPOT(3, 1), roundingDivideByPOT(-3, 1)]).toEqual([3, -3, 2, -2]);
    expect([roundingDivideByPOT(6, 2), roundingDivideByPOT(-6, 2), roundingDivideByPOT(-2, 2), roundingDivideByPOT(-1, 2)]).toEqual([2, -2, -1, 0]);
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
    expect(roundingDivideByPOT(7, 0)).toBe(7);
  });

  it('SaturatingRoundingDoublingHighMul: ties go up (toward +∞), saturates MIN·MIN, exact past 2^53', () => {
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30)).toBe(1 << 29); // 0.5·0.5
    expect(saturatingRoundingDoublingHighMul(33, 1 << 30)).toBe(17); // 16.5 → 17
    expect(saturatingRoundingDoublingHighMul(-33, 1 << 30)).toBe(-16); // −16.5 → −16 (nudge 1 − 2^30)
    expect(saturatingRoundingDoublingHighMul(-1, 1)).toBe(0);
    // (2^31 − 1)^2 = 2^62 − 2^32 + 1: needs the 64-bit path. (…+2^30)/2^31 = 2^31 − 1.5 + ε → 2147483646.
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(2147483646);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(-2147483647);
  });

  it('QuantizeMultiplier: frexp, Q31 rounding, the 2^31 carry', () => {
    expect(frexp(0.5)).toEqual({ q: 0.5, e: 0 });
    expect(frexp(3)).toEqual({ q: 0.75, e: 2 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(1 / 3)).toEqual({ multiplier: 1431655765, shift: -1 }); // 0.666…·2^31 = 1431655765.33
    expect(quantizeMultiplier(3)).toEqual({ multiplier: 1610612736, shift: 2 });
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 1 << 30, shift: 1 }); // rounds to 2^31 → halve
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 }); // shift < −31
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
  });

  it('MultiplyByQuantizedMultiplier uses double rounding (differs from single rounding)', () => {
    // 101 · 0.5 = 50.5 → 51 and −101 · 0.5 = −50.5 → −50 (SRDHM rounds the tie up).
    expect(multiplyByQuantizedMultiplier(101, 1 << 30, 0)).toBe(51);
    expect(multiplyByQuantizedMultiplier(-101, 1 << 30, 0)).toBe(-50);
    // 5 · 0.25 = 1.25: SRDHM(5, 0.5) = 2.5 → 3, then 3/2 = 1.5 → 2. Single rounding would give 1.
    expect(multiplyByQuantizedMultiplier(5, 1 << 30, -1)).toBe(2);
    // −35 · 0.25 = −8.75: SRDHM → −17.5 → −17, then −17/2 = −8.5 → −9.
    expect(multiplyByQuantizedMultiplier(-35, 1 << 30, -1)).toBe(-9);
    // Positive shift: 100 · 0.75 · 4 = 300.
    expect(multiplyByQuantizedMultiplier(100, 1610612736, 2)).toBe(300);
  });

  it('gemmlowp exp_on_negative_values and 1/(1+x) track their real functions', () => {
    // Q5.26 input: exp(−1), exp(−2.5), exp(0) = 1 (saturated Q0.31 one).
    expect(expOnNegativeValues(-(1 << 26), 5) / 2 ** 31).toBeCloseTo(Math.exp(-1), 6);
    expect(expOnNegativeValues(-(5 << 25), 5) / 2 ** 31).toBeCloseTo(Math.exp(-2.5), 6);
    expect(expOnNegativeValues(0, 5)).toBe(INT32_MAX);
    expect(oneOverOnePlusXForXIn01(1 << 30) / 2 ** 31).toBeCloseTo(1 / 1.5, 6);
  });
});
