import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { isTinyforgeError } from '@tinyforge/sdk';
import { readImage } from './image.js';

function rgbaPattern(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    data[4 * p] = (p * 40) % 256; data[4 * p + 1] = (p * 90) % 256; data[4 * p + 2] = 255 - ((p * 40) % 256); data[4 * p + 3] = 255;
  }
  return data;
}

describe('readImage', () => {
  it('decodes PNG to HWC RGB 0..255 exactly, and to ITU-R 601 grayscale', () => {
    const png = new pngjs.PNG({ width: 4, height: 3 });
    const data = rgbaPattern(4, 3);
    data.copy(png.data);
    const bytes = pngjs.PNG.sync.write(png);
    const rec = readImage(bytes, 'a.png', 'png');
    expect(rec.shape).toEqual([3, 4, 3]);
    expect(rec.intervalMs).toBe(0);
    for (let p = 0; p < 12; p++) expect([rec.values[3 * p], rec.values[3 * p + 1], rec.values[3 * p + 2]]).toEqual([data[4 * p], data[4 * p + 1], data[4 * p + 2]]);
    const gray = readImage(bytes, 'a.png', 'png', 'grayscale');
    expect(gray.shape).toEqual([3, 4, 1]);
    expect(gray.values[5]).toBeCloseTo((data[20]! * 299 + data[21]! * 587 + data[22]! * 114) / 1000, 3);
  });

  it('decodes JPEG (lossy: close to the source)', () => {
    const width = 16, height = 16;
    const data = Buffer.alloc(width * height * 4);
    for (let p = 0; p < width * height; p++) { data[4 * p] = 200; data[4 * p + 1] = 100; data[4 * p + 2] = 50; data[4 * p + 3] = 255; }
    const bytes = jpeg.encode({ width, height, data }, 95).data;
    const rec = readImage(bytes, 'b.jpg', 'jpeg');
    expect(rec.shape).toEqual([16, 16, 3]);
    expect(Math.abs(rec.values[0]! - 200)).toBeLessThan(4);
    expect(Math.abs(rec.values[1]! - 100)).toBeLessThan(4);
  });

  it('rejects garbage and absurd sizes as BAD_INPUT naming the file', () => {
    for (const [bytes, kind] of [[Buffer.from('not an image'), 'png'], [Buffer.from([0xff, 0xd8, 0xff, 0x00]), 'jpeg'], [Buffer.alloc(0), 'png']] as const) {
      try { readImage(bytes, 'c.img', kind); throw new Error('no error'); } catch (err) {
        expect(isTinyforgeError(err)).toBe(true);
        expect((err as { file: string }).file).toBe('c.img');
      }
    }
    const header = Buffer.from('89504e470d0a1a0a0000000d49484452ffffffffffffffff', 'hex');
    expect(() => readImage(header, 'huge.png', 'png')).toThrow(/pixel limit/);
  });
});
