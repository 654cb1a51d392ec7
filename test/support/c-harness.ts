/**
 * Building and running emitted C (blocks' emitC, later the C++ target) on the host: a generic
 * driver that reads the input floats from a file, calls the entry and writes the output floats
 * back, compiled with the host gcc in strict C99. The same driver runs under QEMU through
 * semihosting (see cortex-m4.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CEmission } from '@tinyforge/sdk';

/** What the harness builds: a block's C emission (the SDK's contract). */
export type CUnit = CEmission;

export const HOST_CFLAGS = ['-std=c99', '-O2', '-Wall', '-Werror', '-Wextra', '-pedantic'];

/** Whether `cmd --version` runs. */
export function hasTool(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Whether the tools are there. When one is missing: under CI=true that is an error (throws), else
 * it prints why the tests that need it are skipped.
 */
export function toolchainReady(tools: string[], what: string, install: string): boolean {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) return true;
  const message = `${what}: ${missing.join(', ')} not found (install: ${install})`;
  if (process.env['CI'] === 'true') throw new Error(`${message}; required under CI`);
  console.log(`skipping ${message}`);
  return false;
}

/**
 * main(): reads <prefix>_INPUT_SIZE floats (float32, little-endian) from argv[1], runs the entry,
 * writes the status then the output floats to argv[2]. Buffers are static: no heap, like a device.
 * With `bench`, the entry runs between bench_begin()/bench_end() markers for instruction counting.
 */
export function driverSource(unit: CUnit, opts: { bench?: boolean } = {}): string {
  const P = unit.prefix.toUpperCase();
  return `#include <stdio.h>
#include "${unit.prefix}.h"
static float input_buf[${P}_INPUT_SIZE];
static float output_buf[${P}_OUTPUT_SIZE + 1];
static float scratch_buf[${P}_SCRATCH_FLOATS + 1];
${opts.bench ? `__attribute__((noinline)) void bench_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_end(void) { __asm volatile("" ::: "memory"); }
` : ''}int main(int argc, char **argv) {
  FILE *f;
  int rc;
  if (argc < 3) return 2;
  f = fopen(argv[1], "rb");
  if (!f) return 3;
  if (fread(input_buf, sizeof(float), ${P}_INPUT_SIZE, f) != ${P}_INPUT_SIZE) return 4;
  fclose(f);
${opts.bench ? '  bench_begin();\n' : ''}  rc = ${unit.entry}(input_buf, output_buf, scratch_buf);
${opts.bench ? '  bench_end();\n' : ''}  f = fopen(argv[2], "wb");
  if (!f) return 5;
  output_buf[${P}_OUTPUT_SIZE] = (float)rc;
  if (fwrite(output_buf, sizeof(float), ${P}_OUTPUT_SIZE + 1, f) != ${P}_OUTPUT_SIZE + 1) return 6;
  fclose(f);
  return 0;
}
`;
}

/** Writes the unit, its header and the driver to `dir`; returns the .c files. */
export function writeUnit(unit: CUnit, dir: string, opts: { bench?: boolean } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${unit.prefix}.h`), unit.header);
  const files = Object.entries(unit.sources).map(([name, text]) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  });
  writeFileSync(path.join(dir, 'driver.c'), driverSource(unit, opts));
  return [...files, path.join(dir, 'driver.c')];
}

/** Compiles the unit with the host gcc (C99, -Wall -Werror); returns the executable. */
export function buildHost(unit: CUnit, dir: string): string {
  const files = writeUnit(unit, dir);
  const exe = path.join(dir, 'run');
  execFileSync('gcc', [...HOST_CFLAGS, '-I', dir, ...files, '-o', exe, '-lm'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return exe;
}

export interface CResult {
  status: number;
  output: Float32Array;
}

/** Runs a driver executable (or a command prefix, e.g. QEMU) on `input`. */
export function runDriver(command: string[], input: ArrayLike<number>, unit: CUnit, dir: string): CResult {
  const inFile = path.join(dir, 'input.f32');
  const outFile = path.join(dir, 'output.f32');
  writeFileSync(inFile, Buffer.from(Float32Array.from(input).buffer));
  const [cmd, ...args] = command;
  execFileSync(cmd!, [...args, inFile, outFile], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const bytes = readFileSync(outFile);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (all.length !== unit.outputSize + 1) throw new Error(`driver wrote ${all.length - 1} floats, expected ${unit.outputSize}`);
  return { status: all[unit.outputSize]!, output: all.slice(0, unit.outputSize) };
}
