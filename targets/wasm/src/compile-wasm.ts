import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TinyforgeError } from '@tinyforge/sdk';

const run = promisify(execFile);

export const WASM_APT_PACKAGES = 'clang lld wasi-libc libclang-rt-14-dev-wasm32';

/** Flags of every compile; part of the generated package's README so a build can be redone. */
export const WASM_CFLAGS = ['--target=wasm32-wasi', '-Oz', '-ffunction-sections', '-fdata-sections', '-DTF_NO_PRINTF', '-DTF_PORTING_TIMER=0'];
const CXXFLAGS = ['-std=c++11', '-fno-exceptions', '-fno-rtti'];
/** Reactor: no main(), `_initialize` runs static constructors. Linked with the C driver: no libc++ needed. */
export const WASM_LDFLAGS = ['--target=wasm32-wasi', '-mexec-model=reactor', '-Wl,--gc-sections', '-Wl,--strip-all'];

export interface WasmToolchain {
  available: boolean;
  reason?: string;
  clang?: string;
}

let identity: Promise<{ clang: string; libc: string; builtins: string }> | undefined;
/**
 * What a wasm build depends on, cheaply (parallel `clang` queries, no test build; once per
 * process): this is on every run's path, cached or not. Installing wasi-libc or compiler-rt
 * changes it, so a bundle written without model.wasm is rebuilt.
 */
export function wasmToolchainIdentity(): Promise<{ clang: string; libc: string; builtins: string }> {
  const ask = (args: string[]) => run('clang', args).then((r) => r.stdout.split('\n')[0]!.trim(), () => 'none');
  const found = (file: string) => (path.isAbsolute(file) && existsSync(file) ? file : 'missing');
  identity ??= Promise.all([ask(['--version']), ask(['--target=wasm32-wasi', '-print-file-name=libc.a']), ask(['--target=wasm32-wasi', '-print-libgcc-file-name'])]).then(
    ([clang, libc, builtins]) => ({ clang, libc: found(libc), builtins: found(builtins) }),
  );
  return identity;
}

let status: Promise<WasmToolchain> | undefined;
/** Whether clang can build and link a wasm32-wasi reactor here (clang, lld, wasi-libc, compiler-rt). */
export function wasmToolchainStatus(): Promise<WasmToolchain> {
  status ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tf-wasm-probe-'));
    try {
      const clang = (await run('clang', ['--version'])).stdout.split('\n')[0]!.trim();
      await writeFile(path.join(dir, 'p.c'), '#include <math.h>\n__attribute__((export_name("f"))) float f(float x) { return logf(x) + (float)((long long)x / 3); }\n');
      await run('clang', [...WASM_CFLAGS, '-c', path.join(dir, 'p.c'), '-o', path.join(dir, 'p.o')]);
      await run('clang', [...WASM_LDFLAGS, path.join(dir, 'p.o'), '-o', path.join(dir, 'p.wasm')]);
      return { available: true, clang };
    } catch (error) {
      const e = error as { code?: string; stderr?: string; message: string };
      const why = e.code === 'ENOENT' ? 'clang is not installed' : (e.stderr || e.message).split('\n').find((l) => l.trim()) ?? e.message;
      return { available: false, reason: `no wasm32-wasi toolchain (${why}); apt-get install ${WASM_APT_PACKAGES}` };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return status;
}

/** Compiles a library file map (C and C++ sources under the given prefixes) into one .wasm. */
export async function compileWasm(files: ReadonlyMap<string, string>, sources: readonly string[], signal?: AbortSignal): Promise<Uint8Array> {
  const tc = await wasmToolchainStatus();
  if (!tc.available) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `the wasm target cannot compile: ${tc.reason}` });
  const dir = await mkdtemp(path.join(tmpdir(), 'tf-wasm-'));
  try {
    for (const [rel, text] of files) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), text);
    }
    const objects: string[] = [];
    const queue = [...sources];
    const worker = async () => {
      for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
        const obj = path.join(dir, `${rel.replace(/[/.]/g, '_')}.o`);
        const lang = rel.endsWith('.c') ? ['clang', '-std=c99'] : ['clang++', ...CXXFLAGS];
        await run(lang[0]!, [...lang.slice(1), ...WASM_CFLAGS, `-I${dir}`, '-c', path.join(dir, rel), '-o', obj], { signal, maxBuffer: 1 << 24 });
        objects.push(obj);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, availableParallelism()) }, worker));
    const out = path.join(dir, 'model.wasm');
    await run('clang', [...WASM_LDFLAGS, ...objects.sort(), '-o', out], { signal, maxBuffer: 1 << 24 });
    return new Uint8Array(await readFile(out));
  } catch (error) {
    if (error instanceof TinyforgeError) throw error;
    const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message);
    throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `clang could not build the wasm module: ${stderr.split('\n').filter(Boolean).slice(0, 6).join(' | ')}` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
