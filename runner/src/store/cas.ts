import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { TinyforgeError } from '@tinyforge/sdk';
import { requestBlob } from '../remote/blob-channel.js';
import { atomicWrite, atomicWriteSync } from '../util/atomic-write.js';
import { sha256 } from '../util/hash.js';
import { shardedPath } from './layout.js';

/**
 * Content-addressed blob store. A blob's name is the sha256 of its bytes, so a blob is written
 * once and never changes; every read re-hashes and refuses bytes that do not match their name.
 * Blobs are written atomically (temp + rename) but not fsynced one by one: a torn blob after a
 * power loss is caught by the read-side check and recomputed, at far less cost per write.
 */
export class ContentStore {
  /** The remote cache layered under this store, if any (set by `openStore`). */
  remote: RemoteBlobSource | undefined;

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
    if (options.fsync) await atomicWrite(path, data, { fsync: true });
    else atomicWriteSync(path, data);
  }

  /** Stores verified bytes the caller has just found missing (no second existence check). */
  async putAbsent(digest: string, data: Uint8Array): Promise<void> {
    atomicWriteSync(this.pathOf(digest), data);
  }

  /** Present here, or (with a remote) named by a cached result whose blobs stay remote until read. */
  async has(digest: string): Promise<boolean> {
    if (await exists(this.pathOf(digest))) return true;
    return (await this.remote?.mayHave(digest)) ?? false;
  }

  async hasLocal(digest: string): Promise<boolean> {
    return exists(this.pathOf(digest));
  }

  /**
   * Reads and verifies a blob. A mismatch deletes the bad blob and throws an INTEGRITY error.
   * With a remote, a blob missing here is fetched (verified) and stored first: by the remote
   * layer on the main thread, through the main thread from worker threads.
   */
  async get(digest: string): Promise<Buffer> {
    try {
      return await this.readLocal(digest);
    } catch (error) {
      if (!(error instanceof MissingBlobError)) throw error;
      if (this.remote) {
        const fetched = await this.remote.fetchBlob(digest);
        if (!fetched) throw error;
        await this.putAbsent(digest, fetched);
        return fetched;
      }
      if (!isMainThread && (await requestBlob(this.dir, digest))) return this.readLocal(digest);
      throw error;
    }
  }

  /** `get` without the remote. */
  async readLocal(digest: string): Promise<Buffer> {
    const path = this.pathOf(digest);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingBlobError(digest);
      throw error;
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
  constructor(
    readonly digest: string,
    why = 'is missing',
  ) {
    super({ code: 'INTEGRITY', message: `cache blob ${digest.slice(0, 12)}… ${why}; the work that made it will be redone` });
  }
}

/** What the remote cache offers the local blob store (see remote/remote-cache.ts). */
export interface RemoteBlobSource {
  /** Bytes that hash to `digest`, or `undefined`. */
  fetchBlob(digest: string): Promise<Buffer | undefined>;
  /** The blob is owed by the remote (named by a cached result, not fetched yet, not known bad). */
  mayHave(digest: string): Promise<boolean>;
}

// Blob I/O is small and frequent (one file per sample): synchronous calls skip the libuv
// thread-pool round trip, which dominated per-sample time in worker threads here.
async function exists(path: string): Promise<boolean> {
  return existsSync(path);
}
