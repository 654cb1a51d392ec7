import { describe, expect, it } from 'vitest';
import { labelFromFileName, labelFromFolder, labelFromPattern, parseLabelsFile, segmentFrames } from './labels.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));

describe('labels from paths', () => {
  it('folder: nearest non-split folder, null at the root or under unlabeled/', () => {
    expect(labelFromFolder('yes/0a7c2a8d_nohash_0.wav')).toBe('yes');
    expect(labelFromFolder('training/yes/x.wav')).toBe('yes');
    expect(labelFromFolder('yes/testing/x.wav')).toBe('yes');
    expect(labelFromFolder('testing/x.wav')).toBeNull();
    expect(labelFromFolder('x.wav')).toBeNull();
    expect(labelFromFolder('unlabeled/x.wav')).toBeNull();
  });
  it("filename: Edge Impulse's text before the first dot", () => {
    expect(labelFromFileName('training/wave.01.cbor')).toBe('wave');
    expect(labelFromFileName('idle.json')).toBe('idle');
    expect(labelFromFileName('.hidden')).toBeNull();
  });
  it('pattern: first capture group', () => {
    expect(labelFromPattern('recordings/7_theo_12.wav', /(\d)_[a-z]+_\d+\.wav$/)).toBe('7');
    expect(labelFromPattern('x.wav', /(\d)_/)).toBeNull();
  });
});

describe('parseLabelsFile', () => {
  it('CSV file,label', () => {
    const t = parseLabelsFile(bytes('file,label\na.wav,yes\n./sub\\b.wav,no\nc.wav,\n'), 'l.csv');
    expect(t.get('a.wav')).toEqual({ label: 'yes' });
    expect(t.get('sub/b.wav')).toEqual({ label: 'no' });
    expect(t.get('c.wav')).toEqual({ label: null });
  });
  it('CSV segments with custom columns and categories', () => {
    const t = parseLabelsFile(bytes('file,act,s,e,category\nr.csv,WALK,1,50,training\nr.csv,SIT,51,80,training\n'), 'l.csv', { labelColumn: 'act', startColumn: 's', endColumn: 'e' });
    expect(t.get('r.csv')).toEqual({ category: 'train', segments: [{ label: 'WALK', start: 1, end: 50 }, { label: 'SIT', start: 51, end: 80 }] });
  });
  it('JSON map, entry list and Edge Impulse info.labels', () => {
    expect(parseLabelsFile(bytes('{"a.wav":"yes","b.wav":null}'), 'l.json').get('b.wav')).toEqual({ label: null });
    expect(parseLabelsFile(bytes('[{"file":"a.csv","label":"x","start":0,"end":9}]'), 'l.json').get('a.csv')).toEqual({ segments: [{ label: 'x', start: 0, end: 9 }] });
    const info = { version: 1, files: [
      { path: 'training/wave.01.cbor', name: 'wave.01', category: 'testing', label: { type: 'label', label: 'wave' } },
      { path: 'long.cbor', category: 'training', label: { type: 'multi-label', labels: [{ label: 'idle', startIndex: 0, endIndex: 99 }, { label: 'wave', startIndex: 100, endIndex: 199 }] } },
    ] };
    const t = parseLabelsFile(bytes(JSON.stringify(info)), 'info.labels');
    expect(t.get('training/wave.01.cbor')).toEqual({ label: 'wave', category: 'test' });
    expect(t.get('long.cbor')!.segments).toHaveLength(2);
  });
  it('rejects contradictions and malformed rows with the line', () => {
    expect(() => parseLabelsFile(bytes('file,label\na.wav,yes\na.wav,no\n'), 'l.csv')).toThrow(/line 3: "a.wav" is labelled twice/);
    expect(() => parseLabelsFile(bytes('file,label,start,end\na.csv,x,5,oops\n'), 'l.csv')).toThrow(/line 2: segment start\/end are not numbers/);
    expect(() => parseLabelsFile(bytes('file,label,start,end\na.csv,x,9,5\n'), 'l.csv')).toThrow(/before start/);
    expect(() => parseLabelsFile(bytes('name,label\n'), 'l.csv')).toThrow(/no column "file"/);
    expect(() => parseLabelsFile(bytes(''), 'l.csv')).toThrow(/empty/);
  });
});

describe('segmentFrames', () => {
  it('converts 1-based inclusive frames and ms to [start, end)', () => {
    expect(segmentFrames({ label: 'a', start: 250, end: 1232 }, 20, { unit: 'frames', indexBase: 1, endInclusive: true })).toEqual({ start: 249, end: 1232 });
    expect(segmentFrames({ label: 'a', start: 10, end: 20 }, 20, { unit: 'frames', indexBase: 0, endInclusive: false })).toEqual({ start: 10, end: 20 });
    expect(segmentFrames({ label: 'a', start: 1000, end: 2000 }, 20, { unit: 'ms', indexBase: 0, endInclusive: false })).toEqual({ start: 50, end: 100 });
  });
});
