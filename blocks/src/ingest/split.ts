import { createHash } from 'node:crypto';
import type { Category } from '@tinyforge/sdk';
import { SPLIT_FOLDERS } from './labels.js';

/**
 * Train/test split. Either from a `training/`/`testing/` folder in the path, or by hashing a key
 * (the sample id, or a group key such as the speaker) with sha256: the same data gets the same
 * split on every machine, and a group never straddles both sides.
 */

/** `train`/`test` if some folder in the path is a split folder (the nearest one wins). */
export function categoryFromFolder(relPath: string): Category | undefined {
  const dirs = relPath.split('/').slice(0, -1);
  for (let i = dirs.length - 1; i >= 0; i--) {
    const c = SPLIT_FOLDERS[dirs[i]!.toLowerCase()];
    if (c) return c;
  }
  return undefined;
}

/** Uniform number in [0, 1) from sha256(salt ":" key) — the first 48 bits. */
export function hashFraction(key: string, salt = ''): number {
  const digest = createHash('sha256').update(`${salt}:${key}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function categoryFromHash(key: string, testRatio: number, salt = ''): Category {
  return hashFraction(key, salt) < testRatio ? 'test' : 'train';
}

/** Group key from the relative path: first capture group of `pattern`, or `undefined` if no match. */
export function groupKeyOf(relPath: string, pattern: RegExp | undefined): string | undefined {
  if (!pattern) return undefined;
  const m = pattern.exec(relPath);
  return m ? (m[1] ?? m[0]) : undefined;
}
