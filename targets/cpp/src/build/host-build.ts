import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Writes a file map (relative paths) under `dir`. */
export async function writeFiles(dir: string, files: ReadonlyMap<string, string | Uint8Array>): Promise<void> {
  for (const [rel, data] of files) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
  }
}

export interface HostBuildOptions {
  /** Extra sources (absolute paths or relative to `dir`). */
  extraSources?: string[];
  defines?: string[];
  optimize?: string;
  output?: string;
  /** Only library sources for which this returns true (default: all but examples/). */
  include?: (rel: string) => boolean;
}

/** SDK sources that do not depend on the model: compiled once per flag set and reused. */
const MODEL_FREE = new Set(['tinyforge-sdk/tf_kernels_s8.cpp', 'tinyforge-sdk/tf_kernels_f32.cpp', 'tinyforge-sdk/tf_fixedpoint.cpp']);
const OBJECT_CACHE = path.join(tmpdir(), 'tinyforge-cpp-objects');

function flags(opts: HostBuildOptions): string[] {
  return [
    '-std=c++11', opts.optimize ?? '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-unused-function', '-Wno-unused-variable', '-Wno-unused-const-variable',
    '-fno-exceptions', '-fno-rtti', '-fsanitize=undefined', '-fno-sanitize-recover=all',
    ...(opts.defines ?? []).map((d) => `-D${d}`),
  ];
}

async function cachedObject(dir: string, rel: string, sdkDigest: string, f: string[]): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(f)).update(sdkDigest).digest('hex').slice(0, 24);
  const obj = path.join(OBJECT_CACHE, `${path.basename(rel, '.cpp')}-${key}.o`);
  if (existsSync(obj)) return obj;
  await mkdir(OBJECT_CACHE, { recursive: true });
  const tmp = `${obj}.${process.pid}.${Date.now()}.tmp`;
  await run('g++', [...f, `-I${dir}`, '-c', path.join(dir, rel), '-o', tmp]);
  await rename(tmp, obj);
  return obj;
}

/** Compiles the library's .cpp files (plus extras) with the host g++ into one executable. */
export async function buildHost(dir: string, files: ReadonlyMap<string, string | Uint8Array>, opts: HostBuildOptions = {}): Promise<string> {
  const include = opts.include ?? ((rel: string) => !rel.startsWith('examples/'));
  const f = flags(opts);
  // The cache key covers every SDK file (headers included).
  const sdk = createHash('sha256');
  for (const [rel, source] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) if (rel.startsWith('tinyforge-sdk/')) sdk.update(rel).update(source);
  const sdkDigest = sdk.digest('hex');
  const inputs: string[] = [];
  for (const [rel] of files) {
    if (!rel.endsWith('.cpp') || !include(rel)) continue;
    inputs.push(MODEL_FREE.has(rel) ? await cachedObject(dir, rel, sdkDigest, f) : path.join(dir, rel));
  }
  const output = path.join(dir, opts.output ?? 'a.out');
  const extras = (opts.extraSources ?? []).map((s) => (path.isAbsolute(s) ? s : path.join(dir, s)));
  await run('g++', [...f, `-I${dir}`, ...inputs, ...extras, '-o', output, '-lm'], { maxBuffer: 1 << 24 });
  return output;
}

/** Runs an executable with binary stdin, returns stdout bytes. */
export function runBinary(exe: string, args: string[], stdin: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(exe, args, { encoding: 'buffer', maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(exe)} failed: ${err.message}\n${stderr.toString()}`));
      else resolve(stdout);
    });
    child.stdin!.end(Buffer.from(stdin));
  });
}

/** Compiles the library's C99 sources (a DSP block's code) with gcc into objects for buildHost's extraSources. */
export async function compileCSources(dir: string, files: ReadonlyMap<string, string | Uint8Array>): Promise<string[]> {
  const objects: string[] = [];
  for (const rel of [...files.keys()].filter((r) => r.endsWith('.c'))) {
    const obj = path.join(dir, `${rel}.o`);
    await run('gcc', ['-std=c99', '-O2', '-Wall', '-Werror', '-I', dir, '-c', path.join(dir, rel), '-o', obj]);
    objects.push(obj);
  }
  return objects;
}
