import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '../store/cas.js';
import { ACTION_RESULT_FORMAT, type ActionResult } from '../store/action-cache.js';
import { isSampleSetManifest, type ArtifactManifest } from '../artifacts/manifest.js';
import { keyOf } from '../exec/action-key.js';
import { DIGEST_PATTERN, sha256 } from '../util/hash.js';
import type { RemoteCacheConfig } from './config.js';
import { HttpCache, type HttpCacheOptions } from './http-cache.js';
import { RemoteUnitIndex } from './remote-unit-index.js';

export interface RemoteStats {
  actionHits: number;
  actionMisses: number;
  blobsDownloaded: number;
  bytesDownloaded: number;
  blobsUploaded: number;
  bytesUploaded: number;
  actionsUploaded: number;
  /** Downloads refused: corrupt blobs, invalid or incomplete action entries. */
  rejected: number;
}

export interface RemoteCacheOptions extends Partial<Omit<HttpCacheOptions, 'warn'>> {
  /** Where warnings go (default: stderr, `warning: remote cache: …`). */
  warn?: (message: string) => void;
}

const MAX_BLOB_WARNINGS = 5;

/**
 * The remote half of the cache. Reads: an action result from the remote is used only after it
 * validates (JSON, right format, its key record hashes to its key) and its output manifests are
 * downloaded and digest-checked. The blobs those manifests name are fetched (and checked) either
 * at once (`download: all`, and always for model/bundle artifacts) or — the default, Bazel's
 * "build without the bytes" — one by one when something reads them (`ContentStore.get`; worker
 * threads ask the main thread, see blob-channel.ts): a cached block whose consumers are cached
 * too costs one small GET per output, not its whole dataset. Manifests whose blobs may be only
 * on the remote are marked on disk (`cache/remote-pending/<digest>`) so deep checks in later
 * runs count them as complete while the remote is configured.
 * Writes (readwrite mode): blobs first, then manifests, then the action entry, so a reader never
 * sees an entry whose blobs are not there yet.
 */
export class RemoteCache {
  readonly http: HttpCache;
  readonly stats: RemoteStats = { actionHits: 0, actionMisses: 0, blobsDownloaded: 0, bytesDownloaded: 0, blobsUploaded: 0, bytesUploaded: 0, actionsUploaded: 0, rejected: 0 };
  readonly warnings: string[] = [];
  private readonly sink: (message: string) => void;
  /** Actions known absent this run: each key is asked once (runBlock looks twice around its lock). */
  private readonly knownMisses = new Set<string>();
  /** Blobs the remote served corrupt: uploaded over (readwrite), never trusted. */
  private readonly corruptOnRemote = new Set<string>();
  /** Action entries the remote served invalid: overwritten once recomputed (readwrite). */
  private readonly invalidEntries = new Set<string>();
  /** Blobs known to be on the remote this run (skip the HEAD before uploading). */
  private readonly onRemote = new Set<string>();
  private readonly downloads = new Map<string, Promise<Buffer | undefined>>();
  private blobWarnings = 0;
  /** Local manifests whose blobs may still be only on the remote. */
  private pending = new Set<string>();
  private readonly pendingDir: string;

  constructor(
    readonly config: RemoteCacheConfig,
    private readonly cas: ContentStore,
    options: RemoteCacheOptions = {},
  ) {
    this.sink = options.warn ?? ((m: string) => process.stderr.write(`warning: remote cache: ${m}\n`));
    this.http = new HttpCache(config.url, { ...(config.token ? { token: config.token } : {}), ...options, warn: (m) => this.warn(m) });
    this.pendingDir = join(cas.dir, '..', 'remote-pending');
  }

  /** The per-sample index shared through this remote (`openStore` uses it as `store.units`). */
  unitIndex(dir: string): RemoteUnitIndex {
    this.units ??= new RemoteUnitIndex(dir, this.http, (m) => this.warn(m), (d) => this.corruptOnRemote.has(d));
    return this.units;
  }
  private units: RemoteUnitIndex | undefined;

  /**
   * Called before an executed block's result is stored: if its outputs name blobs taken from the
   * remote per-sample index and not fetched, the output manifest is marked as owing them (they
   * are fetched, verified, when something reads them).
   */
  async noteOwed(result: ActionResult): Promise<void> {
    const owed = this.units?.owed;
    if (!owed || owed.size === 0) return;
    for (const manifestDigest of Object.values(result.outputs)) {
      const manifest = JSON.parse((await this.cas.readLocal(manifestDigest)).toString('utf8')) as ArtifactManifest;
      const needed = blobsOf(manifest).filter((d) => owed.has(d));
      if (needed.length > 0 && !(await Promise.all(needed.map((d) => this.cas.hasLocal(d)))).every(Boolean)) await this.markPending(manifestDigest, manifest);
    }
  }

  /** Reads the pending-manifest markers left by earlier runs. */
  async open(): Promise<this> {
    try {
      this.pending = new Set((await readdir(this.pendingDir)).filter((f) => DIGEST_PATTERN.test(f)));
    } catch {
      this.pending = new Set();
    }
    return this;
  }

  /**
   * Whether a blob missing locally is owed by the remote: named by a pending manifest (or a
   * remote per-sample entry handed out this run) and not known to be corrupt there. `has()`
   * answers with this, so deep checks (verify passes) count such artifacts as complete.
   */
  async mayHave(digest: string): Promise<boolean> {
    if (this.corruptOnRemote.has(digest) || this.http.dead) return false;
    if (this.units?.owed.has(digest)) return true;
    return (await this.pendingBlobs()).has(digest);
  }

  private pendingBlobSet: Promise<Set<string>> | undefined;
  private pendingBlobs(): Promise<Set<string>> {
    this.pendingBlobSet ??= (async () => {
      const blobs = new Set<string>();
      for (const manifestDigest of this.pending) {
        try {
          for (const d of blobsOf(JSON.parse((await this.cas.readLocal(manifestDigest)).toString('utf8')) as ArtifactManifest)) blobs.add(d);
        } catch {
          // a marker whose manifest is gone or bad owes nothing
        }
      }
      return blobs;
    })();
    return this.pendingBlobSet;
  }

  private async markPending(manifestDigest: string, manifest: ArtifactManifest): Promise<void> {
    if (this.pending.has(manifestDigest)) return;
    await mkdir(this.pendingDir, { recursive: true });
    await writeFile(join(this.pendingDir, manifestDigest), '');
    this.pending.add(manifestDigest);
    if (this.pendingBlobSet) {
      const set = await this.pendingBlobSet;
      for (const d of blobsOf(manifest)) set.add(d);
    }
  }

  /** Fetches a blob into the local store for a worker thread; `true` once it is there. */
  async fetchInto(digest: string): Promise<boolean> {
    if (await this.cas.hasLocal(digest)) return true;
    const data = await this.fetchBlob(digest);
    if (!data) return false;
    await this.cas.putAbsent(digest, data);
    return true;
  }

  get writable(): boolean {
    return this.config.mode === 'readwrite';
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.sink(message);
  }

  /** A blob from the remote, verified against its digest; `undefined` if absent or bad. */
  fetchBlob(digest: string): Promise<Buffer | undefined> {
    let pending = this.downloads.get(digest);
    if (!pending) {
      pending = this.download(digest).finally(() => this.downloads.delete(digest));
      this.downloads.set(digest, pending);
    }
    return pending;
  }

  private async download(digest: string): Promise<Buffer | undefined> {
    if (!DIGEST_PATTERN.test(digest) || this.corruptOnRemote.has(digest)) return undefined;
    const data = await this.http.get(`cas/${digest}`);
    if (!data) return undefined;
    const actual = sha256(data);
    if (actual !== digest) {
      this.stats.rejected++;
      this.corruptOnRemote.add(digest);
      if (this.blobWarnings++ < MAX_BLOB_WARNINGS) {
        this.warn(`rejected blob ${digest.slice(0, 12)}… from ${this.http.baseUrl}: its ${data.length} bytes hash to ${actual.slice(0, 12)}…; not stored, the work will be redone`);
      }
      return undefined;
    }
    this.stats.blobsDownloaded++;
    this.stats.bytesDownloaded += data.length;
    this.onRemote.add(digest);
    return data;
  }

  /** Fetches a blob into the local store if it is not there; `false` if it cannot be had. */
  private async ensureLocal(digest: string): Promise<Buffer | boolean> {
    if (await this.cas.hasLocal(digest)) return true;
    const data = await this.fetchBlob(digest);
    if (!data) return false;
    await this.cas.putAbsent(digest, data);
    return data;
  }

  /**
   * The action result for `actionKey` from the remote, with all its output blobs now in the
   * local store; `undefined` on a miss or when anything about it fails to check out.
   */
  async fetchAction(actionKey: string): Promise<ActionResult | undefined> {
    if (this.http.dead || this.knownMisses.has(actionKey)) return undefined;
    const bytes = await this.http.get(`ac/${actionKey}`);
    const result = bytes ? this.validate(actionKey, bytes) : undefined;
    if (!result) {
      this.knownMisses.add(actionKey);
      this.stats.actionMisses++;
      return undefined;
    }
    for (const digest of Object.values(result.outputs)) {
      if (!(await this.fetchOutput(digest))) {
        this.knownMisses.add(actionKey);
        this.stats.rejected++;
        this.warn(`action ${actionKey.slice(0, 12)}… on the remote is incomplete or corrupt (output ${digest.slice(0, 12)}…); recomputing it`);
        return undefined;
      }
    }
    this.stats.actionHits++;
    return result;
  }

  private validate(actionKey: string, bytes: Buffer): ActionResult | undefined {
    let entry: ActionResult;
    try {
      entry = JSON.parse(bytes.toString('utf8')) as ActionResult;
    } catch {
      return this.reject(actionKey, 'is not JSON');
    }
    if (typeof entry !== 'object' || entry === null) return this.reject(actionKey, 'is not an object');
    if (entry.format !== ACTION_RESULT_FORMAT) return this.reject(actionKey, `has format ${String(entry.format)}`);
    if (entry.actionKey !== actionKey) return this.reject(actionKey, 'names another action key');
    if (typeof entry.keyRecord !== 'object' || entry.keyRecord === null || keyOf(entry.keyRecord) !== actionKey) return this.reject(actionKey, 'has a key record that does not hash to its key');
    if (typeof entry.outputs !== 'object' || entry.outputs === null || !Object.values(entry.outputs).every((d) => typeof d === 'string' && DIGEST_PATTERN.test(d))) {
      return this.reject(actionKey, 'has malformed outputs');
    }
    if (typeof entry.counters?.samplesComputed !== 'number' || typeof entry.counters?.samplesCached !== 'number') return this.reject(actionKey, 'has malformed counters');
    if (!Array.isArray(entry.logs)) entry.logs = [];
    return entry;
  }

  private reject(actionKey: string, why: string): undefined {
    this.stats.rejected++;
    this.invalidEntries.add(actionKey);
    this.warn(`ignored action entry ${actionKey.slice(0, 12)}… from ${this.http.baseUrl}: it ${why}`);
    return undefined;
  }

  /** An output of a remote hit: its manifest now, its blobs now or marked pending. */
  private async fetchOutput(manifestDigest: string): Promise<boolean> {
    const manifest = await this.localManifest(manifestDigest);
    if (!manifest) return false;
    if (this.config.download === 'all' || !isSampleSetManifest(manifest)) return this.materialize(manifestDigest, manifest);
    const blobs = blobsOf(manifest);
    // Already complete locally (an earlier run, another pipeline): nothing to owe.
    if (blobs.length <= 64 && (await Promise.all(blobs.map((d) => this.cas.hasLocal(d)))).every(Boolean)) return true;
    await this.markPending(manifestDigest, manifest);
    return true;
  }

  private async localManifest(manifestDigest: string): Promise<ArtifactManifest | undefined> {
    const got = await this.ensureLocal(manifestDigest);
    if (got === false) return undefined;
    try {
      const manifest = JSON.parse((got === true ? await this.cas.readLocal(manifestDigest) : got).toString('utf8')) as ArtifactManifest;
      blobsOf(manifest);
      return manifest;
    } catch {
      return undefined;
    }
  }

  /** Downloads an artifact manifest and every blob it names into the local store. */
  private async materialize(manifestDigest: string, known?: ArtifactManifest): Promise<boolean> {
    const manifest = known ?? (await this.localManifest(manifestDigest));
    if (!manifest) return false;
    const results = await Promise.all(blobsOf(manifest).map((d) => this.ensureLocal(d)));
    return results.every((r) => r !== false);
  }

  /**
   * Uploads an executed action: output blobs, then manifests, then the entry. Readwrite only.
   * Never throws: a failed upload costs other machines a recompute, never this run.
   */
  async publishAction(result: ActionResult): Promise<boolean> {
    if (!this.writable || this.http.dead || this.http.writesRefused) return false;
    try {
      return await this.upload(result);
    } catch (error) {
      this.warn(`did not upload action ${result.actionKey.slice(0, 12)}…: ${(error as Error).message}`);
      return false;
    }
  }

  private async upload(result: ActionResult): Promise<boolean> {
    // Blobs the remote per-sample index lists are there already: no HEAD for each of them.
    const listed = (await this.units?.listedBlobs(baseKeyOf(result.keyRecord))) ?? new Set<string>();
    for (const manifestDigest of Object.values(result.outputs)) {
      const manifest = await this.cas.get(manifestDigest);
      const blobs = blobsOf(JSON.parse(manifest.toString('utf8')) as ArtifactManifest);
      const uploaded = await Promise.all(blobs.map((d) => (listed.has(d) && !this.corruptOnRemote.has(d) ? true : this.uploadBlob(d))));
      if (!uploaded.every(Boolean)) return false;
      if (!(await this.uploadBlob(manifestDigest, manifest))) return false;
    }
    const path = `ac/${result.actionKey}`;
    // Write-once: an entry already there stays (its blobs are the ones readers already use).
    if (!this.invalidEntries.has(result.actionKey) && (await this.http.has(path))) {
      await this.units?.publish(baseKeyOf(result.keyRecord), (d) => this.onRemote.has(d) && !this.corruptOnRemote.has(d));
      return true;
    }
    const ok = await this.http.put(path, Buffer.from(JSON.stringify(result), 'utf8'));
    if (ok) await this.units?.publish(baseKeyOf(result.keyRecord), (d) => this.onRemote.has(d) && !this.corruptOnRemote.has(d));
    if (ok) {
      this.stats.actionsUploaded++;
      this.knownMisses.delete(result.actionKey);
      this.invalidEntries.delete(result.actionKey);
    }
    return ok;
  }

  private async uploadBlob(digest: string, data?: Buffer): Promise<boolean> {
    if (this.onRemote.has(digest) && !this.corruptOnRemote.has(digest)) return true;
    if (!this.corruptOnRemote.has(digest) && (await this.http.has(`cas/${digest}`))) {
      this.onRemote.add(digest);
      return true;
    }
    const bytes = data ?? (await this.cas.get(digest));
    if (!(await this.http.put(`cas/${digest}`, bytes))) return false;
    this.stats.blobsUploaded++;
    this.stats.bytesUploaded += bytes.length;
    this.onRemote.add(digest);
    this.corruptOnRemote.delete(digest);
    return true;
  }
}

/** The per-sample index key of an action: the hash of its key record without the inputs. */
function baseKeyOf(keyRecord: ActionResult['keyRecord']): string {
  const { inputs: _inputs, ...base } = keyRecord;
  return keyOf(base);
}

function blobsOf(manifest: ArtifactManifest): string[] {
  const digests = isSampleSetManifest(manifest) ? manifest.samples.map((s) => s.digest) : manifest.files.map((f) => f.digest);
  if (!digests.every((d) => typeof d === 'string' && DIGEST_PATTERN.test(d))) throw new Error('manifest names a malformed digest');
  return [...new Set(digests)];
}
