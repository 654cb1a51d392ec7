import { createReadStream, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, sep } from 'node:path';
import { TinyforgeError } from '@tinyforge/sdk';
import { atomicWrite } from '../util/atomic-write.js';
import { sha256 } from '../util/hash.js';

/** One file seen by a scan: where it is, what it holds. */
export interface ScannedFile {
  path: string;
  relPath: string;
  size: number;
  digest: string;
}

interface StatEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  digest: string;
}

const FORMAT = 1;

/**
 * File digests keyed on (path, size, mtime, inode): a re-scan of an unchanged folder of 10,000
 * files costs 10,000 stat calls and no hashing. Any change to size, mtime or inode re-hashes.
 */
export class StatCache {
  private entries = new Map<string, StatEntry>();
  private dirty = false;
  hashed = 0;

  private constructor(private readonly file: string) {}

  static async open(dir: string): Promise<StatCache> {
    const cache = new StatCache(join(dir, 'files.json'));
    try {
      const parsed = JSON.parse(await readFile(cache.file, 'utf8')) as { format: number; entries: Record<string, [number, number, number, string]> };
      if (parsed.format === FORMAT) {
        for (const [path, [size, mtimeMs, ino, digest]] of Object.entries(parsed.entries)) {
          cache.entries.set(path, { size, mtimeMs, ino, digest });
        }
      }
    } catch {
      // no cache yet, or unreadable: start empty (it only saves time, never decides results)
    }
    return cache;
  }

  /** Digest of one file, hashing only when its stat changed. */
  async digest(path: string): Promise<{ digest: string; size: number }> {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new TinyforgeError({ code: 'BAD_INPUT', file: path, message: 'file does not exist' });
    }
    const known = this.entries.get(path);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && known.ino === st.ino) {
      return { digest: known.digest, size: st.size };
    }
    const digest = await hashFile(path, st.size);
    this.hashed++;
    this.entries.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, digest });
    this.dirty = true;
    return { digest, size: st.size };
  }

  /** Scans a folder recursively (sorted, stable), keeping files whose name ends with one of `extensions`. */
  async scan(root: string, extensions?: readonly string[]): Promise<ScannedFile[]> {
    let rootStat;
    try {
      rootStat = statSync(root);
    } catch {
      throw new TinyforgeError({ code: 'BAD_INPUT', file: root, message: 'source folder does not exist' });
    }
    if (!rootStat.isDirectory()) throw new TinyforgeError({ code: 'BAD_INPUT', file: root, message: 'source is not a folder' });
    const lowered = extensions?.map((e) => e.toLowerCase());
    const paths = walk(root).filter((p) => !lowered || lowered.some((ext) => p.toLowerCase().endsWith(ext)));
    const prefix = root.endsWith(sep) ? root.length : root.length + 1;
    const toRel = sep === '/' ? (p: string) => p.slice(prefix) : (p: string) => p.slice(prefix).split(sep).join('/');
    const out: ScannedFile[] = new Array(paths.length);
    // Warm path stays synchronous (a stat and a map lookup per file); only changed files are hashed.
    const misses: number[] = [];
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const st = statSync(path);
      const known = this.entries.get(path);
      if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && known.ino === st.ino) {
        out[i] = { path, relPath: toRel(path), size: st.size, digest: known.digest };
      } else misses.push(i);
    }
    let next = 0;
    const worker = async () => {
      for (let m = next++; m < misses.length; m = next++) {
        const i = misses[m]!;
        const path = paths[i]!;
        const { digest, size } = await this.digest(path);
        out[i] = { path, relPath: toRel(path), size, digest };
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return out;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const entries: Record<string, [number, number, number, string]> = {};
    for (const [path, e] of this.entries) entries[path] = [e.size, e.mtimeMs, e.ino, e.digest];
    await atomicWrite(this.file, JSON.stringify({ format: FORMAT, entries }), { fsync: true });
    this.dirty = false;
  }
}

function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files and our own .tinyforge
      const full = join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  visit(root);
  return out;
}

async function hashFile(path: string, size: number): Promise<string> {
  if (size < 4 * 1024 * 1024) return sha256(await readFile(path));
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
