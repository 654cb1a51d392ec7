import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { TinyforgeError, type Sample } from '@tinyforge/sdk';
import { featuresOf } from '../impulse/load-impulse.js';
import { lastBundle, writeBundle } from './native-target.js';
import type { Classification, TestTarget } from './test-targets.js';

const run = promisify(execFile);

/**
 * Reads one window (float32, little endian) from input.bin over semihosting, classifies it and
 * prints the raw int8 output, then the scores as IEEE bit patterns (exact, and no float printf
 * needed in newlib-nano).
 */
const HARNESS = `#include <stdio.h>
#include <string.h>
#include "tinyforge-sdk/classifier/tf_run_classifier.h"
#include "model/tf_model.h"
static float input[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];
int main(void) {
  FILE *f = fopen("input.bin", "rb");
  if (!f) { printf("error: cannot open input.bin\\n"); return 2; }
  const size_t n = fread(input, sizeof(float), EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, f);
  fclose(f);
  if (n != EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE) { printf("error: read %u values\\n", (unsigned)n); return 3; }
  signal_t signal;
  signal_from_buffer(input, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
  ei_impulse_result_t result;
  const EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
  if (err != EI_IMPULSE_OK) { printf("error: run_classifier %d\\n", (int)err); return 4; }
  printf("raw");
  for (int i = 0; i < TF_MODEL_OUTPUT_COUNT; i++) printf(" %d", (int)tf_model_output()[i]);
  printf("\\nscores");
  for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) {
    unsigned long bits;
    memcpy(&bits, &result.classification[i].value, 4);
    printf(" %08lx", bits);
  }
  printf("\\n");
  return 0;
}
`;

interface CortexM {
  toolchainStatus(): Promise<{ available: boolean; reason?: string }>;
  CORES: Record<'cortex-m4', { cflags: string[]; machine: string | null; flash: string; ram: string; ramLength: string }>;
}

/** The cpp target's Cortex-M startup code and linker script (the same ones its estimates use). */
function deviceDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@tinyforge/target-cpp')), '../runtime/device');
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['tinyforge-sdk', 'model']) {
    for (const e of await readdir(join(dir, sub), { withFileTypes: true, recursive: true })) {
      if (e.isFile() && /\.(c|cpp)$/.test(e.name)) out.push(relative(dir, join(e.parentPath, e.name)));
    }
  }
  return out.sort();
}

/** Cross-compiles the deployed cpp library for Cortex-M4F (hard float) with the harness above. */
async function buildElf(dir: string, m: CortexM): Promise<string> {
  const core = m.CORES['cortex-m4'];
  const device = deviceDir();
  const ld = (await readFile(join(device, 'link.ld.in'), 'utf8')).replace('@FLASH@', core.flash).replace('@RAM@', core.ram).replace('@RAMLEN@', core.ramLength);
  await writeFile(join(dir, 'link.ld'), ld);
  await writeFile(join(dir, 'm4_harness.cpp'), HARNESS);
  const common = [...core.cflags, '-Os', '-ffunction-sections', '-fdata-sections', `-I${dir}`];
  const units = [...(await sources(dir)), 'm4_harness.cpp'];
  const objDir = join(dir, 'obj');
  await mkdir(objDir, { recursive: true });
  const objects: string[] = [join(objDir, 'startup.o')];
  await run('arm-none-eabi-gcc', [...common, '-c', join(device, 'startup.c'), '-o', objects[0]!]);
  const queue = [...units];
  const worker = async () => {
    for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
      const obj = join(objDir, `${rel.replace(/[/.]/g, '_')}.o`);
      const tool = rel.endsWith('.c') ? ['arm-none-eabi-gcc', '-std=c99'] : ['arm-none-eabi-g++', '-std=c++11', '-fno-exceptions', '-fno-rtti'];
      await run(tool[0]!, [...tool.slice(1), ...common, '-c', join(dir, rel), '-o', obj], { maxBuffer: 1 << 24 });
      objects.push(obj);
    }
  };
  await Promise.all([worker(), worker()]);
  const elf = join(dir, 'm4.elf');
  await run('arm-none-eabi-g++', [...core.cflags, '-nostartfiles', '--specs=nano.specs', '--specs=rdimon.specs', '-T', join(dir, 'link.ld'), '-Wl,--gc-sections', ...objects, '-lm', '-o', elf], { maxBuffer: 1 << 24 });
  return elf;
}

/**
 * `m4`: the deployed cpp library cross-compiled for Cortex-M4F and run under QEMU (mps2-an386),
 * one QEMU run per case; the window goes in through a semihosting file read.
 */
export const m4Target: TestTarget = {
  name: 'm4',
  async open(impulse) {
    const m = (await import('@tinyforge/target-cpp/device/cortex-m')) as unknown as CortexM;
    const tc = await m.toolchainStatus();
    if (!tc.available) throw new TinyforgeError({ code: 'USAGE', message: `the m4 test target needs the Cortex-M toolchain: ${tc.reason}` });
    const bundle = await lastBundle(impulse, 'cpp');
    const dir = await mkdtemp(join(tmpdir(), 'tinyforge-m4-'));
    await writeBundle(bundle, dir);
    let elf: string;
    try {
      elf = await buildElf(dir, m);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw new TinyforgeError({ code: 'TEST_FAILED', message: `the cpp library does not build for Cortex-M4: ${String((error as { stderr?: string }).stderr ?? error).split('\n').slice(0, 5).join(' ')}` });
    }
    const metadata = await readFile(join(dir, 'model-parameters/model_metadata.h'), 'utf8');
    const define = (name: string) => Number(new RegExp(`#define ${name} (\\d+)`).exec(metadata)?.[1]);
    const inputSize = define('EI_CLASSIFIER_RAW_SAMPLE_COUNT') * define('EI_CLASSIFIER_RAW_SAMPLES_PER_FRAME');
    return {
      async classify(sample: Sample): Promise<Classification> {
        const runOnce = async (values: Float32Array): Promise<string> => {
          await writeFile(join(dir, 'input.bin'), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
          const { stdout } = await run('qemu-system-arm', ['-M', m.CORES['cortex-m4'].machine!, '-nographic', '-monitor', 'none', '-semihosting-config', 'enable=on,target=native', '-kernel', elf], { cwd: dir, timeout: 120_000, maxBuffer: 1 << 20 }).catch((e: { stdout?: string; message: string }) => {
            throw new Error(`QEMU run failed: ${(e.stdout ?? '').trim().split('\n')[0] || e.message}`);
          });
          return stdout;
        };
        let values = Float32Array.from(sample.values);
        if (values.length !== inputSize) values = Float32Array.from((await featuresOf(impulse, sample))[0]?.values ?? values); // no DSP compiled in
        if (values.length !== inputSize) throw new Error(`the library takes ${inputSize} values, the sample has ${sample.values.length}`);
        const stdout = await runOnce(values);
        const lines = stdout.split('\n');
        const raw = lines.find((l) => l.startsWith('raw'));
        const scores = lines.find((l) => l.startsWith('scores'));
        if (!raw || !scores) throw new Error(`the M4 harness said: ${stdout.trim().split('\n')[0] ?? '(nothing)'}`);
        const bits = Uint32Array.from(scores.split(' ').slice(1), (h) => parseInt(h, 16));
        return { raw: Int8Array.from(raw.split(' ').slice(1).map(Number)), scores: new Float32Array(bits.buffer) };
      },
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
};
