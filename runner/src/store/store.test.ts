import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeSample, encodeSample } from '../artifacts/sample-codec.js';
import { ContentStore, IntegrityError } from './cas.js';
import { LockManager } from './lock.js';
import { StatCache } from './stat-cache.js';
import type { Sample } from '@tinyforge/sdk';

const temp = () => mkdtempSync(join(tmpdir(), 'tinyforge-store-'));

describe('sample blobs', () => {
  const sample: Sample = { id: 'yes/a.wav', label: 'yes', category: 'test', sensors: [{ name: 'audio', units: 'wav' }], intervalMs: 0.0625, values: new Float32Array([0.5, -1, 3.25]), shape: [3, 1], meta: { group: 'a' } };

  test('round-trip exactly, and equal samples encode to equal bytes', () => {
    const bytes = encodeSample(sample);
    expect(decodeSample(bytes)).toEqual(sample);
    expect(Buffer.from(encodeSample({ ...sample, meta: { group: 'a' } })).equals(Buffer.from(bytes))).toBe(true);
  });

  test('decode works from an unaligned buffer and rejects truncation', () => {
    const bytes = encodeSample(sample);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(decodeSample(shifted.subarray(1)).values).toEqual(sample.values);
    expect(() => decodeSample(bytes.subarray(0, bytes.length - 2))).toThrow(/truncated/);
  });
});

describe('content store', () => {
  test('verifies every read: a flipped byte is an integrity error and the blob is removed', async () => {
    const cas = new ContentStore(temp());
    const digest = await cas.put(Buffer.from('hello'));
    expect((await cas.get(digest)).toString()).toBe('hello');
    writeFileSync(cas.pathOf(digest), 'hellp');
    await expect(cas.get(digest)).rejects.toBeInstanceOf(IntegrityError);
    expect(await cas.has(digest)).toBe(false);
  });
});

describe('locks', () => {
  test('a lock held by a live process waits; one left by a dead process is taken over at once', async () => {
    const dir = temp();
    const locks = new LockManager(dir);
    const release = await locks.acquire('k');
    let second = false;
    const waiting = locks.acquire('k').then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(second).toBe(false);
    await release();
    await (await waiting)();

    const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 10)']);
    const deadPid = child.pid!;
    await new Promise((r) => child.on('close', r));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'dead.lock'), JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname() }));
    const t0 = Date.now();
    await (await locks.acquire('dead'))();
    expect(Date.now() - t0).toBeLessThan(500);
  });
});

describe('stat cache', () => {
  test('re-hashes only files whose size, mtime or inode changed', async () => {
    const root = temp();
    for (let i = 0; i < 5; i++) writeFileSync(join(root, `f${i}.csv`), `x\n${i}\n`);
    const state = temp();
    const first = await StatCache.open(state);
    const scanned = await first.scan(root, ['.csv']);
    expect(first.hashed).toBe(5);
    await first.save();
    const again = await StatCache.open(state);
    await again.scan(root, ['.csv']);
    expect(again.hashed).toBe(0);
    writeFileSync(join(root, 'f2.csv'), 'x\n22\n');
    utimesSync(join(root, 'f2.csv'), new Date(), new Date(Date.now() + 5000));
    const rescanned = await again.scan(root, ['.csv']);
    expect(again.hashed).toBe(1);
    expect(rescanned.map((f) => f.relPath)).toEqual(scanned.map((f) => f.relPath));
    expect(rescanned[2]!.digest).not.toBe(scanned[2]!.digest);
    expect(readFileSync(join(root, 'f0.csv'), 'utf8')).toBe('x\n0\n');
  });
});
