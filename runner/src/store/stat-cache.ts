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

/** On disk: one array per field (10,000 entries parse in a few ms; no object per entry). */
interface StatCacheFile {
  format: typeof FORMAT;
  paths: string[];
  sizes: number[];
  mtimes: number[];
  inos: number[];
  digests: string[];
}

const FORMAT = 2;

/**
 * File digests keyed on (path, size, mtime, inode): a re-scan of an unchanged folder of 10,000
 * files costs 10,000 stat calls and no hashing. Any change to size, mtime or inode re-hashes.
 * Loaded entries stay in their column arrays (a path → row map is all that is built); entries
 * learnt in this process live in `changed` until save().
 */
export class StatCache {
  private loaded: StatCacheFile = { format: FORMAT, paths: [], sizes: [], mtimes: [], inos: [], digests: [] };
  private rows = new Map<string, number>();
  private changed = new Map<string, StatEntry>();
  hashed = 0;

  private constructor(private readonly file: string) {}

  static async open(dir: string): Promise<StatCache> {
    const cache = new StatCache(join(dir, 'files.json'));
    try {
      const parsed = JSON.parse(await readFile(cache.file, 'utf8')) as StatCacheFile;
      const n = parsed.paths?.length;
      if (parsed.format === FORMAT && [parsed.sizes, parsed.mtimes, parsed.inos, parsed.digests].every((column) => column?.length === n)) {
        cache.loaded = parsed;
        for (let i = 0; i < n; i++) cache.rows.set(parsed.paths[i]!, i);
      }
    } catch {
      // no cache yet, or unreadable: start empty (it only saves time, never decides results)
    }
    return cache;
  }

  /** The digest recorded for `path` if its stat still matches, else undefined. */
  private known(path: string, size: number, mtimeMs: number, ino: number): string | undefined {
    const entry = this.changed.get(path);
    if (entry) return entry.size === size && entry.mtimeMs === mtimeMs && entry.ino === ino ? entry.digest : undefined;
    const row = this.rows.get(path);
    if (row === undefined) return undefined;
    const l = this.loaded;
    return l.sizes[row] === size && l.mtimes[row] === mtimeMs && l.inos[row] === ino ? l.digests[row] : undefined;
  }

  /** Digest of one file, hashing only when its stat changed. */
  async digest(path: string): Promise<{ digest: string; size: number }> {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new TinyforgeError({ code: 'BAD_INPUT', file: path, message: 'file does not exist' });
    }
    const known = this.known(path, st.size, st.mtimeMs, st.ino);
    if (known !== undefined) return { digest: known, size: st.size };
    const digest = await hashFile(path, st.size);
    this.hashed++;
    this.changed.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, digest });
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
      const known = this.known(path, st.size, st.mtimeMs, st.ino);
      if (known !== undefined) out[i] = { path, relPath: toRel(path), size: st.size, digest: known };
      else misses.push(i);
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
    if (this.changed.size === 0) return;
    const l = this.loaded;
    const out: StatCacheFile = { format: FORMAT, paths: [], sizes: [], mtimes: [], inos: [], digests: [] };
    const push = (path: string, size: number, mtimeMs: number, ino: number, digest: string) => {
      out.paths.push(path);
      out.sizes.push(size);
      out.mtimes.push(mtimeMs);
      out.inos.push(ino);
      out.digests.push(digest);
    };
    for (let i = 0; i < l.paths.length; i++) if (!this.changed.has(l.paths[i]!)) push(l.paths[i]!, l.sizes[i]!, l.mtimes[i]!, l.inos[i]!, l.digests[i]!);
    for (const [path, e] of this.changed) push(path, e.size, e.mtimeMs, e.ino, e.digest);
    await atomicWrite(this.file, JSON.stringify(out), { fsync: true });
    this.loaded = out;
    this.rows = new Map(out.paths.map((p, i) => [p, i]));
    this.changed.clear();
  }
}

// readdir names have no separators or dots to normalise: a concatenation is path.join without its cost.
const joinChild = sep === '/' ? (dir: string, name: string) => (dir.endsWith('/') ? dir + name : `${dir}/${name}`) : join;

function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files and our own .tinyforge
      const full = joinChild(dir, entry.name);
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
