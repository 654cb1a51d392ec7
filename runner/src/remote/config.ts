import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TinyforgeError } from '@tinyforge/sdk';

export type RemoteCacheMode = 'readwrite' | 'read';
/** `minimal`: fetch a cached block's blobs only when something reads them; `all`: at once. */
export type RemoteDownload = 'minimal' | 'all';

export interface RemoteCacheConfig {
  /** Base URL; blobs live at `<url>/cas/<digest>`, action results at `<url>/ac/<key>`. */
  url: string;
  mode: RemoteCacheMode;
  download: RemoteDownload;
  /** Bearer token, from TINYFORGE_REMOTE_CACHE_TOKEN only (secrets stay out of committed files). */
  token?: string;
  /** Where the setting came from, for messages. */
  source: string;
}

export const CONFIG_FILE_NAME = 'tinyforge.config.json';

/**
 * The remote cache to use, if any (`{ "remoteCache": { "url", "mode", "download" } }`). `TINYFORGE_REMOTE_CACHE` / `TINYFORGE_REMOTE_CACHE_MODE` win
 * over `remoteCache` in the nearest `tinyforge.config.json` at or above `startDir`. The mode
 * can be narrowed by env alone (a PR job sets `read` without touching the committed file).
 * `TINYFORGE_REMOTE_CACHE=off` disables a configured cache.
 */
export function resolveRemoteConfig(env: NodeJS.ProcessEnv, startDir?: string): RemoteCacheConfig | undefined {
  const file = startDir ? findConfigFile(startDir) : undefined;
  const fromFile = file ? readRemoteSection(file) : undefined;
  const envUrl = env.TINYFORGE_REMOTE_CACHE?.trim();
  if (envUrl === 'off' || envUrl === 'none') return undefined;
  const url = envUrl || fromFile?.url;
  if (!url) return undefined;
  const envMode = env.TINYFORGE_REMOTE_CACHE_MODE?.trim();
  const mode = parseMode(envMode || fromFile?.mode || 'readwrite', envMode ? 'TINYFORGE_REMOTE_CACHE_MODE' : (file ?? 'default'));
  const envDownload = env.TINYFORGE_REMOTE_CACHE_DOWNLOAD?.trim();
  const download = envDownload || fromFile?.download || 'minimal';
  if (download !== 'minimal' && download !== 'all') {
    throw new TinyforgeError({ code: 'CONFIG_INVALID', file: envDownload ? 'TINYFORGE_REMOTE_CACHE_DOWNLOAD' : file, message: `remote cache download "${download}" is not "minimal" or "all"` });
  }
  checkUrl(url, envUrl ? 'TINYFORGE_REMOTE_CACHE' : file!);
  const token = env.TINYFORGE_REMOTE_CACHE_TOKEN?.trim();
  return { url: url.replace(/\/+$/, ''), mode, download, ...(token ? { token } : {}), source: envUrl ? 'TINYFORGE_REMOTE_CACHE' : file! };
}

/** Nearest `tinyforge.config.json` at or above `startDir`. */
export function findConfigFile(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readRemoteSection(file: string): { url?: string; mode?: string; download?: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TinyforgeError({ code: 'CONFIG_INVALID', file, message: `not valid JSON: ${(error as Error).message}` });
  }
  const section = (parsed as { remoteCache?: unknown } | null)?.remoteCache;
  if (section === undefined) return undefined;
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw new TinyforgeError({ code: 'CONFIG_INVALID', file, path: 'remoteCache', message: 'must be an object { "url": "http://…", "mode": "readwrite" | "read" }' });
  }
  const { url, mode, download } = section as { url?: unknown; mode?: unknown; download?: unknown };
  if (url !== undefined && typeof url !== 'string') throw new TinyforgeError({ code: 'CONFIG_INVALID', file, path: 'remoteCache.url', message: 'must be a string' });
  if (mode !== undefined && typeof mode !== 'string') throw new TinyforgeError({ code: 'CONFIG_INVALID', file, path: 'remoteCache.mode', message: 'must be "readwrite" or "read"' });
  if (download !== undefined && typeof download !== 'string') throw new TinyforgeError({ code: 'CONFIG_INVALID', file, path: 'remoteCache.download', message: 'must be "minimal" or "all"' });
  return { ...(url ? { url } : {}), ...(mode ? { mode } : {}), ...(download ? { download } : {}) };
}

function parseMode(mode: string, source: string): RemoteCacheMode {
  if (mode === 'readwrite' || mode === 'read') return mode;
  throw new TinyforgeError({ code: 'CONFIG_INVALID', file: source, message: `remote cache mode "${mode}" is not "readwrite" or "read"` });
}

function checkUrl(url: string, source: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TinyforgeError({ code: 'CONFIG_INVALID', file: source, message: `remote cache URL "${url}" is not a URL` });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TinyforgeError({ code: 'CONFIG_INVALID', file: source, message: `remote cache URL "${url}" must be http:// or https://` });
  }
}
