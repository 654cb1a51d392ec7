import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeFiles } from '../build/host-build.js';

/**
 * Cross-builds a generated library for Cortex-M cores (arm-none-eabi-gcc) and runs it under
 * QEMU with our instruction-counting plugin: flash, static RAM, stack and executed
 * instructions of the DSP block and of the network, separately.
 */

const run = promisify(execFile);
const DEVICE_DIR = fileURLToPath(new URL('../../runtime/device/', import.meta.url));

export type CoreName = 'cortex-m4' | 'cortex-m33' | 'cortex-m0plus';

export interface CoreTarget {
  core: CoreName;
  cflags: string[];
  /** QEMU machine that runs it, or null when we only build for it. */
  machine: string | null;
  flash: string;
  ram: string;
  ramLength: string;
}

export const CORES: Record<CoreName, CoreTarget> = {
  'cortex-m4': { core: 'cortex-m4', cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'], machine: 'mps2-an386', flash: '0x00000000', ram: '0x20000000', ramLength: '256K' },
  'cortex-m33': { core: 'cortex-m33', cflags: ['-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'], machine: 'mps2-an505', flash: '0x10000000', ram: '0x38000000', ramLength: '256K' },
  'cortex-m0plus': { core: 'cortex-m0plus', cflags: ['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft'], machine: null, flash: '0x00000000', ram: '0x20000000', ramLength: '256K' },
};

export interface ToolchainStatus {
  available: boolean;
  reason?: string;
  gcc?: string;
  qemu?: string;
}

let versions: Promise<{ gcc: string; qemu: string; newlib: string }> | undefined;
/**
 * The estimate toolchain's identity: `arm-none-eabi-gcc` and `qemu-system-arm` version lines and
 * newlib's nano.specs ('none'/'missing' when absent), queried in parallel once per process: the
 * deploy key needs them on every run, cached or not, and installing a missing part rebuilds.
 */
export function toolchainVersions(): Promise<{ gcc: string; qemu: string; newlib: string }> {
  const first = (cmd: string, args: string[]) => run(cmd, args).then((r) => r.stdout.split('\n')[0]!.trim(), () => 'none');
  versions ??= Promise.all([first('arm-none-eabi-gcc', ['--version']), first('qemu-system-arm', ['--version']), first('arm-none-eabi-gcc', ['-print-file-name=nano.specs'])]).then(
    ([gcc, qemu, specs]) => ({ gcc, qemu, newlib: path.isAbsolute(specs) && existsSync(specs) ? specs : 'missing' }),
  );
  return versions;
}

let status: ToolchainStatus | null = null;
/** Whether arm-none-eabi-gcc (with newlib) and qemu-system-arm are installed. */
export async function toolchainStatus(): Promise<ToolchainStatus> {
  if (status) return status;
  try {
    const gcc = (await run('arm-none-eabi-gcc', ['--version'])).stdout.split('\n')[0]!.trim();
    const qemu = (await run('qemu-system-arm', ['--version'])).stdout.split('\n')[0]!.trim();
    const specs = (await run('arm-none-eabi-gcc', ['-print-file-name=nano.specs'])).stdout.trim();
    if (!existsSync(specs)) return (status = { available: false, reason: 'newlib (nano.specs) is missing: apt-get install libnewlib-arm-none-eabi' });
    status = { available: true, gcc, qemu };
  } catch (e) {
    status = { available: false, reason: `arm-none-eabi-gcc or qemu-system-arm not found (${(e as Error).message.split('\n')[0]}); apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm` };
  }
  return status;
}

const CACHE = path.join(tmpdir(), 'tinyforge-cpp-objects');

/** Builds (once per source) the QEMU plugin with the host C compiler. */
export async function insnCountPlugin(): Promise<string> {
  const src = path.join(DEVICE_DIR, 'insncount.c');
  const key = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 16);
  const so = path.join(CACHE, `libinsncount-${key}.so`);
  if (existsSync(so)) return so;
  await mkdir(CACHE, { recursive: true });
  const tmp = `${so}.${process.pid}.tmp`;
  await run('gcc', ['-O2', '-shared', '-fPIC', '-fvisibility=hidden', '-o', tmp, src]);
  await rename(tmp, so);
  return so;
}

export interface SectionSizes {
  text: number;
  data: number;
  bss: number;
}

export interface CoreEstimate {
  core: CoreName;
  machine: string | null;
  flags: string;
  /** text + data of the library as linked by the benchmark (ELF minus an empty harness). */
  flashBytes: number;
  /** data + bss of the library (arena included; with a DSP block, as built for buffer signals:
   * TF_DSP_SIGNAL_COPY=0, see signalCopyBytes). */
  ramBytes: number;
  elf: SectionSizes;
  baseline: SectionSizes;
  /** Only when run under QEMU. */
  nnInstructions?: number;
  dspInstructions?: number;
  nnStackBytes?: number;
  dspStackBytes?: number;
  programStackBytes?: number;
  /** Peak stack of the whole library call: run_classifier() with a DSP block (DSP, input
   * conversion, network), else tf_model_invoke(). */
  runStackBytes?: number;
  /** Executed instructions of that whole call (DSP block only). */
  runInstructions?: number;
  /** The library's RAM: ramBytes + runStackBytes (the caller's signal buffer excluded). */
  libraryRamBytes?: number;
  /** Static RAM added by the default TF_DSP_SIGNAL_COPY=1, used only for get_data signals (a
   * copy of the signal's window; not in ramBytes). */
  signalCopyBytes?: number;
  output?: number[];
  features?: number[];
  /** FNV-1a of every op output (tensor id → hash), when built with -DBENCH_TENSOR_HASHES=1. */
  tensorHashes?: Map<number, number>;
}

export interface BenchInput {
  /** Quantized model input (network only). */
  int8?: Int8Array;
  /** Raw signal for the DSP block (library with DSP). */
  raw?: Float32Array;
}

function benchInputHeader(input: BenchInput): string {
  if (input.raw) {
    const vals = Array.from(input.raw, (v) => (Number.isInteger(v) ? `${v}.0f` : `${Math.fround(v).toPrecision(9)}f`));
    return `#define BENCH_WITH_DSP 1\n#define BENCH_RAW_COUNT ${input.raw.length}\nstatic const float bench_raw[${input.raw.length}] = {${vals.join(',')}};\n`;
  }
  return `#define BENCH_WITH_DSP 0\n#include <stdint.h>\nstatic const int8_t bench_input[${input.int8!.length}] = {${Array.from(input.int8!).join(',')}};\n`;
}

async function sizes(elf: string): Promise<SectionSizes> {
  const out = (await run('arm-none-eabi-size', ['-B', '-d', elf])).stdout.trim().split('\n')[1]!.trim().split(/\s+/);
  return { text: Number(out[0]), data: Number(out[1]), bss: Number(out[2]) };
}

async function symbol(elf: string, name: string): Promise<string> {
  const out = (await run('arm-none-eabi-nm', [elf], { maxBuffer: 1 << 24 })).stdout;
  const line = out.split('\n').find((l) => l.trim().endsWith(` ${name}`));
  if (!line) throw new Error(`${name} not found in ${elf}`);
  return `0x${line.split(' ')[0]}`;
}

/** Bytes of a symbol in the ELF (0 when absent). */
async function symbolSize(elf: string, name: string): Promise<number> {
  const out = (await run('arm-none-eabi-nm', ['-S', elf], { maxBuffer: 1 << 24 })).stdout;
  const line = out.split('\n').find((l) => l.trim().endsWith(` ${name}`));
  const size = line?.trim().split(/\s+/)[1];
  return size && line!.trim().split(/\s+/).length === 4 ? parseInt(size, 16) : 0;
}

/** Compiles the library (all model/ and SDK kernel sources) + benchmark main for one core. */
export async function buildForCore(files: ReadonlyMap<string, string>, target: CoreTarget, input: BenchInput, workDir?: string, extraFlags: string[] = []): Promise<{ elf: string; baselineElf: string; dir: string }> {
  const dir = workDir ?? (await mkdtemp(path.join(tmpdir(), `tf-${target.core}-`)));
  await writeFiles(dir, files);
  await writeFile(path.join(dir, 'bench_input.h'), benchInputHeader(input));
  const ld = readFileSync(path.join(DEVICE_DIR, 'link.ld.in'), 'utf8').replace('@FLASH@', target.flash).replace('@RAM@', target.ram).replace('@RAMLEN@', target.ramLength);
  await writeFile(path.join(dir, 'link.ld'), ld);
  const common = [...target.cflags, '-Os', '-ffunction-sections', '-fdata-sections', '-fno-unwind-tables', '-fno-asynchronous-unwind-tables', ...extraFlags];
  const cxx = [...common, '-std=c++11', '-fno-exceptions', '-fno-rtti', '-DTF_NO_PRINTF', `-I${dir}`];
  const objDir = path.join(dir, `obj-${target.core}`);
  await mkdir(objDir, { recursive: true });
  const startup = path.join(objDir, 'startup.o');
  await run('arm-none-eabi-gcc', [...common, '-c', path.join(DEVICE_DIR, 'startup.c'), '-o', startup]);
  const sources = [...files.keys()].filter((f) => (f.endsWith('.cpp') || f.endsWith('.c')) && (f.startsWith('model/') || /tinyforge-sdk\/(tf_kernels_s8|tf_kernels_f32|tf_fixedpoint|classifier\/tf_run_classifier)\.cpp$/.test(f)));
  const cc = [...common, '-std=c99', `-I${dir}`];
  const objects = await Promise.all(
    sources.map(async (rel) => {
      const obj = path.join(objDir, rel.replace(/[/.]/g, '_') + '.o');
      if (rel.endsWith('.c')) await run('arm-none-eabi-gcc', [...cc, '-c', path.join(dir, rel), '-o', obj], { maxBuffer: 1 << 24 });
      else await run('arm-none-eabi-g++', [...cxx, '-c', path.join(dir, rel), '-o', obj], { maxBuffer: 1 << 24 });
      return obj;
    }),
  );
  const link = ['-nostartfiles', '--specs=nano.specs', '--specs=rdimon.specs', '-T', path.join(dir, 'link.ld'), '-Wl,--gc-sections'];
  const elf = path.join(objDir, 'bench.elf');
  const baselineElf = path.join(objDir, 'baseline.elf');
  for (const [out, baseline] of [[elf, 0], [baselineElf, 1]] as const) {
    const mainObj = path.join(objDir, `bench_main_${baseline}.o`);
    await run('arm-none-eabi-g++', [...cxx, `-DBENCH_BASELINE=${baseline}`, '-c', path.join(DEVICE_DIR, 'bench_main.cpp'), '-o', mainObj]);
    await run('arm-none-eabi-g++', [...common, ...link, startup, mainObj, ...objects, '-lm', '-o', out], { maxBuffer: 1 << 24 });
  }
  return { elf, baselineElf, dir };
}

/** Runs an ELF under QEMU with the plugin; returns stdout and the region counts. */
export async function runOnQemu(elf: string, target: CoreTarget): Promise<{ stdout: string; regions: Record<string, number>; total: number }> {
  if (!target.machine) throw new Error(`${target.core}: no QEMU machine`);
  const plugin = await insnCountPlugin();
  const regions: string[] = [];
  for (const r of ['nn', 'dsp', 'run']) {
    // 'run' (the whole run_classifier() call) exists only in builds with a DSP block.
    const start = await symbol(elf, `bench_${r}_begin`).catch((e: Error) => (r === 'run' ? null : Promise.reject(e)));
    if (start === null) continue;
    const stop = await symbol(elf, `bench_${r}_end`);
    regions.push(`region=${r}:${start}:${stop}`);
  }
  const log = path.join(path.dirname(elf), 'insns.txt');
  const { stdout } = await run(
    'qemu-system-arm',
    ['-M', target.machine, '-nographic', '-semihosting-config', 'enable=on,target=native', '-plugin', `${plugin},${regions.join(',')}`, '-d', 'plugin', '-D', log, '-kernel', elf],
    { timeout: 120_000, maxBuffer: 1 << 24 },
  );
  const counts: Record<string, number> = {};
  let total = 0;
  for (const line of (await readFile(log, 'utf8')).split('\n')) {
    const m = /^insns_region (\S+) (\d+) (\d+)/.exec(line);
    if (m) counts[m[1]!] = Number(m[2]);
    const t = /^insns_total (\d+)/.exec(line);
    if (t) total = Number(t[1]);
  }
  return { stdout, regions: counts, total };
}

const numberAfter = (text: string, key: string): number | undefined => {
  const m = new RegExp(`\\b${key}=(\\d+)`).exec(text);
  return m ? Number(m[1]) : undefined;
};
const listAfter = (text: string, key: string): number[] | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${key}:`));
  return line ? line.slice(key.length + 1).trim().split(/\s+/).filter(Boolean).map(Number) : undefined;
};

/** Build (and run, when the core has a QEMU machine) one core. */
export async function estimateCore(files: ReadonlyMap<string, string>, core: CoreName, input: BenchInput, extraFlags: string[] = []): Promise<CoreEstimate> {
  const target = CORES[core];
  // With a DSP block the benchmark calls run_classifier() on a buffer signal: markers in it, and
  // no copy buffer for other signals (reported as signalCopyBytes instead).
  if (input.raw) extraFlags = ['-DTF_BENCH_MARKERS=1', '-DTF_DSP_SIGNAL_COPY=0', ...extraFlags];
  const { elf, baselineElf } = await buildForCore(files, target, input, undefined, extraFlags);
  const [e, b] = await Promise.all([sizes(elf), sizes(baselineElf)]);
  // The benchmark's marker hook is linked only with run_classifier(); it is not library code.
  const hook = input.raw ? await symbolSize(elf, 'tf_bench_mark') : 0;
  const est: CoreEstimate = {
    core,
    machine: target.machine,
    flags: [...target.cflags, '-Os', ...extraFlags].join(' '),
    flashBytes: e.text + e.data - (b.text + b.data) - hook,
    ramBytes: e.data + e.bss - (b.data + b.bss),
    elf: e,
    baseline: b,
    ...(input.raw ? { signalCopyBytes: input.raw.length * 4 } : {}),
  };
  if (target.machine) {
    const r = await runOnQemu(elf, target);
    est.nnInstructions = r.regions['nn'];
    if (input.raw) est.dspInstructions = r.regions['dsp'];
    est.nnStackBytes = numberAfter(r.stdout, 'nn_stack_bytes');
    est.dspStackBytes = numberAfter(r.stdout, 'dsp_stack_bytes');
    est.programStackBytes = numberAfter(r.stdout, 'stack_high_water_bytes');
    if (input.raw) {
      est.runInstructions = r.regions['run'];
      est.runStackBytes = numberAfter(r.stdout, 'run_stack_bytes');
    } else est.runStackBytes = est.nnStackBytes;
    if (est.runStackBytes !== undefined) est.libraryRamBytes = est.ramBytes + est.runStackBytes;
    est.output = listAfter(r.stdout, 'output');
    est.features = listAfter(r.stdout, 'features');
    const hashes = [...r.stdout.matchAll(/^tensor (\d+) (\d+)$/gm)];
    if (hashes.length) est.tensorHashes = new Map(hashes.map((h) => [Number(h[1]), Number(h[2])]));
  }
  return est;
}
