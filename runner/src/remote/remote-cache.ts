import type { ContentStore } from '../store/cas.js';
import { ACTION_RESULT_FORMAT, type ActionResult } from '../store/action-cache.js';
import { isSampleSetManifest, type ArtifactManifest } from '../artifacts/manifest.js';
import { keyOf } from '../exec/action-key.js';
import { DIGEST_PATTERN, sha256 } from '../util/hash.js';
import type { RemoteCacheConfig } from './config.js';
import { HttpCache, type HttpCacheOptions } from './http-cache.js';

export interface RemoteStats {
  actionHits: number;
  actionMisses: number;
  blobsDownloaded: number;
  bytesDownloaded: number;
  blobsUploaded: number;
  bytesUploaded: number;
  actionsUploaded: number;
  /** Downloads refused: corrupt blobs, invalid action entries. */
  rejected: number;
}

export interface RemoteCacheOptions extends Partial<Omit<HttpCacheOptions, 'warn'>> {
  /** Where warnings go (default: stderr, `warning: remote cache: …`). */
  warn?: (message: string) => void;
}

/**
 * The remote half of the cache. Reads: an action result from the remote is used only after it
 * validates (JSON, right format, its key record hashes to its key) and every blob its outputs
 * name is downloaded, digest-checked and stored locally — so after a remote hit the local store
 * is complete and nothing downstream (worker threads, verify passes) needs to know about the
 * remote. Writes (readwrite mode): blobs first, then manifests, then the action entry, so a
 * reader never sees an entry whose blobs are not there yet.
 */
export class RemoteCache {
  readonly http: HttpCache;
  readonly stats: RemoteStats = { actionHits: 0, actionMisses: 0, blobsDownloaded: 0, bytesDownloaded: 0, blobsUploaded: 0, bytesUploaded: 0, actionsUploaded: 0, rejected: 0 };
  readonly warnings: string[] = [];
  /** Actions known absent this run: each key is asked once (runBlock looks twice around its lock). */
  private readonly knownMisses = new Set<string>();
  /** Blobs the remote served corrupt: re-uploaded over, never trusted. */
  private readonly corruptOnRemote = new Set<string>();
  private readonly inFlight = new Map<string, Promise<Buffer | undefined>>();

  constructor(
    readonly config: RemoteCacheConfig,
    private readonly cas: ContentStore,
    options: RemoteCacheOptions = {},
  ) {
    const sink = options.warn ?? ((m: string) => process.stderr.write(`warning: remote cache: ${m}\n`));
    this.http = new HttpCache(config.url, {
      ...options,
      warn: (m) => {
        this.warnings.push(m);
        sink(m);
      },
    });
  }

  get writable(): boolean {
    return this.config.mode === 'readwrite';
  }

  private warn(message: string): void {
    this.warnings.push(message);
    (this.http as unknown as { options: HttpCacheOptions }).options.warn === undefined ? undefined : undefined;
  }
}
