import { Limiter } from './limiter.js';

export interface HttpCacheOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Extra attempts after a 5xx or network error (default 3), with doubling backoff. */
  retries?: number;
  /** First backoff in ms (default 100). */
  backoffMs?: number;
  /** Per-attempt timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer …` (from TINYFORGE_REMOTE_CACHE_TOKEN; never from a committed file). */
  token?: string;
  warn: (message: string) => void;
}

/** Raised inside the client for a failure worth retrying (5xx, reset, refused, timeout). */
class TransientError extends Error {}

/**
 * Bazel's HTTP cache protocol at the wire: GET/HEAD/PUT of opaque bytes under a base URL.
 * Never throws: a miss is `undefined`, a failed upload `false`. A server that keeps failing
 * after retries is declared dead with ONE warning and every later call returns at once, so a
 * run degrades to local-only instead of stalling or failing.
 */
export class HttpCache {
  private readonly limiter: Limiter;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string> = {};
  /** Base URL without credentials (fetch refuses URLs that carry them); safe to print. */
  readonly baseUrl: string;
  dead = false;
  /** Set when the server refuses uploads (401/403/405): reads go on, writes stop. */
  writesRefused = false;

  constructor(
    url: string,
    private readonly options: HttpCacheOptions,
  ) {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      // http://user:pass@host/path → Basic auth, as curl and Bazel's --remote_cache do.
      this.headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    if (options.token) this.headers.authorization = `Bearer ${options.token}`;
    this.baseUrl = parsed.href.replace(/\/+$/, '');
    this.limiter = new Limiter(options.concurrency ?? 8);
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 100;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The bytes at `path`, or `undefined` when absent (404) or the server is unusable. */
  async get(path: string): Promise<Buffer | undefined> {
    return this.request(path, 'GET', async (res) => {
      if (res.status === 200) return Buffer.from(await res.arrayBuffer());
      await res.body?.cancel();
      if (res.status === 404) return undefined;
      this.warnOnce(`get-${res.status}`, `GET ${path} answered ${res.status}; treated as a miss`);
      return undefined;
    });
  }

  async has(path: string): Promise<boolean> {
    const found = await this.request(path, 'HEAD', async (res) => {
      await res.body?.cancel();
      return res.status === 200;
    });
    return found === true;
  }

  /** Uploads; `true` when the server stored it or already has it (409 from write-once servers). */
  async put(path: string, data: Uint8Array): Promise<boolean> {
    if (this.writesRefused) return false;
    const stored = await this.request(
      path,
      'PUT',
      async (res) => {
        await res.body?.cancel();
        if (res.ok || res.status === 409) return true;
        if (res.status === 401 || res.status === 403 || res.status === 405) {
          // Uploads run in parallel: several may be refused at once, one warning says it.
          if (!this.writesRefused) this.options.warn(`${this.baseUrl} refuses uploads (HTTP ${res.status}); reading only for the rest of this run`);
          this.writesRefused = true;
          return false;
        }
        this.warnOnce(`put-${res.status}`, `PUT ${path} answered ${res.status}; not uploaded`);
        return false;
      },
      data,
    );
    return stored === true;
  }

  private async request<T>(path: string, method: string, onResponse: (res: Response) => Promise<T>, body?: Uint8Array): Promise<T | undefined> {
    if (this.dead) return undefined;
    return this.limiter.run(async () => {
      let lastError: unknown;
      for (let attempt = 0; attempt <= this.retries; attempt++) {
        if (this.dead) return undefined;
        if (attempt > 0) await sleep(this.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
        try {
          const res = await fetch(`${this.baseUrl}/${path}`, {
            method,
            signal: AbortSignal.timeout(this.timeoutMs),
            headers: body ? { ...this.headers, 'content-type': 'application/octet-stream' } : this.headers,
            ...(body ? { body } : {}),
          });
          if (res.status >= 500) {
            await res.body?.cancel();
            throw new TransientError(`HTTP ${res.status}`);
          }
          return await onResponse(res);
        } catch (error) {
          lastError = error;
        }
      }
      this.markDead(lastError);
      return undefined;
    });
  }

  private markDead(error: unknown): void {
    if (this.dead) return;
    this.dead = true;
    this.options.warn(`${this.baseUrl} is unreachable (${describe(error)}); continuing with the local cache only`);
  }

  private readonly warned = new Set<string>();
  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.options.warn(message);
  }
}

function describe(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  const cause = err?.cause;
  if (cause?.code) return cause.code;
  return err?.message ?? String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
