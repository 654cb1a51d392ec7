import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isTinyforgeError } from '@tinyforge/sdk';
import { datasetAvailable, datasetPath } from '../shared-datasets.js';
import { readCsv } from './csv.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));

function badReason(fn: () => unknown): string {
  try { fn(); } catch (err) {
    expect(isTinyforgeError(err)).toBe(true);
    expect((err as { file: string }).file).toBe('f.csv');
    return (err as Error).message;
  }
  throw new Error('expected a BAD_INPUT error');
}

describe('readCsv', () => {
  it('takes the interval from a timestamp column in ms and keeps every other column as an axis', () => {
    const [rec] = readCsv(bytes('timestamp,accX,accY\n0,1,2\n10,3,4\n20,5,6\n'), 'f.csv');
    expect(rec!.intervalMs).toBe(10);
    expect(rec!.sensors.map((s) => s.name)).toEqual(['accX', 'accY']);
    expect([...rec!.values]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rec!.shape).toEqual([3, 2]);
  });

  it('reads seconds from the column name, or from timeUnit', () => {
    expect(readCsv(bytes('time_s,x\n0,1\n0.02,2\n0.04,3\n'), 'f.csv')[0]!.intervalMs).toBeCloseTo(20, 9);
    expect(readCsv(bytes('time,x\n0,1\n0.5,2\n'), 'f.csv', { timeUnit: 's' })[0]!.intervalMs).toBe(500);
    expect(readCsv(bytes('t (ms),x\r\n0,1\r\n4,2\r\n'), 'f.csv')[0]!.intervalMs).toBe(4);
  });

  it('needs an interval when there is no timestamp column', () => {
    expect(badReason(() => readCsv(bytes('a,b\n1,2\n'), 'f.csv'))).toMatch(/no timestamp column/);
    expect(readCsv(bytes('a,b\n1,2\n3,4\n'), 'f.csv', { intervalMs: 20 })[0]!.intervalMs).toBe(20);
  });

  it('names the line and column of missing or non-numeric fields', () => {
    expect(badReason(() => readCsv(bytes('timestamp,x,y\n0,1,2\n10,3\n'), 'f.csv'))).toMatch(/line 3: expected 3 fields, found 2/);
    expect(badReason(() => readCsv(bytes('timestamp,x,y\n0,1,2\n10,abc,3\n'), 'f.csv'))).toMatch(/line 3, column "x": "abc" is not a number/);
    expect(badReason(() => readCsv(bytes('timestamp,x,y\n0,1,2\n10,,3\n'), 'f.csv'))).toMatch(/column "x"/);
    expect(badReason(() => readCsv(bytes('timestamp,x\n0,1\n0,2\n'), 'f.csv'))).toMatch(/timestamps must increase/);
    expect(badReason(() => readCsv(bytes(''), 'f.csv'))).toMatch(/empty file/);
    expect(badReason(() => readCsv(bytes('timestamp,x\n'), 'f.csv'))).toMatch(/no data rows/);
  });

  it('handles quoted fields', () => {
    const [rec] = readCsv(bytes('"timestamp","x"\n"0","1.5"\n"10","-2"\n'), 'f.csv');
    expect([...rec!.values]).toEqual([1.5, -2]);
  });
});

describe.skipIf(!datasetAvailable('vibration-fan-imbalance'))('readCsv on vibration-fan-imbalance', () => {
  it('splits the file by weight configuration and speed into 39 recordings of 3000 × 3', () => {
    const content = readFileSync(datasetPath('vibration-fan-imbalance', 'accelerometer.csv'));
    const recs = readCsv(content, 'accelerometer.csv', { labelColumn: 'wconfid', groupColumns: ['pctid'], intervalMs: 1, units: 'g' });
    expect(recs).toHaveLength(39);
    expect(new Set(recs.map((r) => r.label))).toEqual(new Set(['1', '2', '3']));
    for (const r of recs) expect(r.shape).toEqual([3000, 3]);
    expect(recs[0]!.sensors).toEqual([{ name: 'x', units: 'g' }, { name: 'y', units: 'g' }, { name: 'z', units: 'g' }]);
    expect(recs[0]!.part).toBe('wconfid=1,pctid=20');
    // the README's observation: configuration 3 vibrates far less than 1 and 2 at 100 % speed
    const std = (r: (typeof recs)[number]) => {
      let s = 0;
      for (let a = 0; a < 3; a++) {
        let m = 0, q = 0;
        for (let f = 0; f < 3000; f++) { const v = r.values[f * 3 + a]!; m += v; q += v * v; }
        m /= 3000; s += Math.sqrt(q / 3000 - m * m) / 3;
      }
      return s;
    };
    const at100 = (c: string) => std(recs.find((r) => r.part === `wconfid=${c},pctid=100`)!);
    expect(at100('3')).toBeLessThan(0.3);
    expect(at100('1')).toBeGreaterThan(1);
    expect(at100('2')).toBeGreaterThan(1);
  });
});
