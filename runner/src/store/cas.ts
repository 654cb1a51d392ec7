import { readFile, rm, stat } from 'node:fs/promises';
import { TinyforgeError } from '@tinyforge/sdk';
import { atomicWrite } from '../util/atomic-write.js';
import { sha256 } from '../util/hash.js';
import { shardedPath } from './layout.js';

/**
 * Content-addressed blob store. A blob's name is the sha256 of its bytes, so a blob is written
 * once and never changes; every read re-hashes and refuses bytes that do not match their name.
 * Blobs are written atomically (temp + rename) but not fsynced one by one: a torn blob after a
 * power loss is caught by the read-side check and recomputed, at far less cost per write.
 */
export class ContentStore {
  /**
   * Where a blob missing locally may still be found (the remote cache). It must return only
   * bytes that hash to the digest; they are stored locally before use.
   */
  fallback: ((digest: string) => Promise<Buffer | undefined>) | undefined;

  constructor(readonly dir: string) {}

  pathOf(digest: string): string {
    return shardedPath(this.dir, digest);
  }

  async put(data: Uint8Array, options: { fsync?: boolean } = {}): Promise<string> {
    const digest = sha256(data);
    await this.putWithDigest(digest, data, options);
    return digest;
  }

  /** Stores bytes whose digest the caller has already computed. */
  async putWithDigest(digest: string, data: Uint8Array, options: { fsync?: boolean } = {}): Promise<void> {
    const path = this.pathOf(digest);
    if (await exists(path)) return;
    await atomicWrite(path, data, { fsync: options.fsync ?? false });
  }

  async has(digest: string): Promise<boolean> {
    return exists(this.pathOf(digest));
  }

  /** Reads and verifies a blob. A mismatch deletes the bad blob and throws an INTEGRITY error. */
  async get(digest: string): Promise<Buffer> {
    const path = this.pathOf(digest);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const fetched = await this.fallback?.(digest);
      if (!fetched) throw new MissingBlobError(digest);
      await this.putWithDigest(digest, fetched);
      return fetched;
    }
    const actual = sha256(data);
    if (actual !== digest) {
      await rm(path, { force: true });
      throw new IntegrityError(digest, actual, path);
    }
    return data;
  }

  async remove(digest: string): Promise<void> {
    await rm(this.pathOf(digest), { force: true });
  }
}

export class IntegrityError extends TinyforgeError {
  constructor(
    readonly digest: string,
    actual: string,
    file: string,
  ) {
    super({
      code: 'INTEGRITY',
      file,
      message: `cache blob is corrupt: its content hashes to ${actual.slice(0, 12)}…, not ${digest.slice(0, 12)}…; removed it, the work that made it will be redone`,
    });
  }
}

export class MissingBlobError extends TinyforgeError {
  constructor(readonly digest: string) {
    super({ code: 'INTEGRITY', message: `cache blob ${digest.slice(0, 12)}… is missing; the work that made it will be redone` });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
