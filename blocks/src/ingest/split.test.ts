import { describe, expect, it } from 'vitest';
import { categoryFromFolder, categoryFromHash, groupKeyOf, hashFraction } from './split.js';

describe('split', () => {
  it('folder: nearest training/testing folder', () => {
    expect(categoryFromFolder('training/yes/a.wav')).toBe('train');
    expect(categoryFromFolder('data/testing/a.wav')).toBe('test');
    expect(categoryFromFolder('yes/a.wav')).toBeUndefined();
  });

  it('hash: sha256-based, the requested ratio, and stable values', () => {
    // a fixed value guards against accidental changes of the hash rule (it would reshuffle every dataset)
    // (sha256(":yes/0a7c2a8d_nohash_0.wav") starts 2467fbe11fed, checked with sha256sum)
    expect(hashFraction('yes/0a7c2a8d_nohash_0.wav')).toBe(0x2467fbe11fed / 2 ** 48);
    let test = 0;
    for (let i = 0; i < 20000; i++) if (categoryFromHash(`sample-${i}`, 0.2) === 'test') test++;
    expect(test / 20000).toBeGreaterThan(0.19);
    expect(test / 20000).toBeLessThan(0.21);
    const a = categoryFromHash('k', 0.5, 'salt-a');
    expect(categoryFromHash('k', 0.5, 'salt-a')).toBe(a);
    expect(categoryFromHash('k', 0)).toBe('train');
    expect(categoryFromHash('k', 1)).toBe('test');
  });

  it('group key from a regex over the path', () => {
    const speaker = /([^_/]+)_nohash_/;
    expect(groupKeyOf('yes/0a7c2a8d_nohash_0.wav', speaker)).toBe('0a7c2a8d');
    expect(groupKeyOf('_unknown_/backward_0cb74144_nohash_2.wav', speaker)).toBe('0cb74144');
    expect(groupKeyOf('_silence_/1024.wav', speaker)).toBeUndefined();
  });
});
