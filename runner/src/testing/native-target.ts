import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { TinyforgeError, type FileSetReader, type Sample } from '@tinyforge/sdk';
import { featuresOf, type Impulse } from '../impulse/load-impulse.js';
import { findStateRoot, openStore } from '../store/open-store.js';
import { readLastRun } from '../exec/last-run.js';
import type { Classification, TestTarget } from './test-targets.js';

const run = promisify(execFile);

/**
 * Reads one window from stdin (as many floats as the library's input), runs run_classifier and
 * prints the raw int8 output tensor then the scores: what `tinyforge test` compares exactly.
 */
const HARNESS = `#include <stdio.h>
#include "tinyforge-sdk/classifier/tf_run_classifier.h"
#include "model/tf_model.h"
static float input[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];
int main(void) {
  for (;;) {
    for (int i = 0; i < EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE; i++) if (scanf("%f", &input[i]) != 1) return 0;
    signal_t signal;
    signal_from_buffer(input, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
    ei_impulse_result_t result;
    if (run_classifier(&signal, &result, false) != EI_IMPULSE_OK) { printf("error\\n"); fflush(stdout); continue; }
    const int8_t *out = tf_model_output();
    printf("raw");
    for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) printf(" %d", out[i]);
    printf("\\nscores");
    for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) printf(" %.9g", result.classification[i].value);
    printf("\\n");
    fflush(stdout);
  }
}
`;

/** The deployed bundle of a target, from the last run of the pipeline. */
export async function lastBundle(impulse: Impulse, targetId: string): Promise<FileSetReader> {
  const store = await openStore(findStateRoot(impulse.pipelineDir), process.env, { remote: true, projectDir: impulse.pipelineDir });
  const manifest = await readLastRun(store.layout.runsDir, impulse.pipeline);
  const deploy = manifest?.blocks.find((b) => b.block === `target:${targetId}` && b.outputs.bundle);
  if (!deploy) {
    throw new TinyforgeError({ code: 'USAGE', message: `the last run of ${impulse.pipeline} deployed no ${targetId} library`, hint: `add deploy: { ${targetId}: { target: '${targetId}' } } to the pipeline and run it` });
  }
  return (await store.artifacts.reader(deploy.outputs.bundle!)) as FileSetReader;
}

/** Writes a bundle's files to a folder. */
export async function writeBundle(bundle: FileSetReader, dir: string): Promise<void> {
  for (const f of bundle.files) {
    await mkdir(dirname(join(dir, f.name)), { recursive: true });
    await writeFile(join(dir, f.name), await bundle.readFile(f.name));
  }
}

async function sources(dir: string, sub: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, sub), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(c|cpp)$/.test(entry.name)) out.push(join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
  }
  return out;
}

/** `cpp`: the deployed C++ library built with the host g++, fed raw windows (or features). */
export const nativeTarget: TestTarget = {
  name: 'cpp',
  async open(impulse) {
    const bundle = await lastBundle(impulse, 'cpp');
    const dir = await mkdtemp(join(tmpdir(), 'tinyforge-cpp-'));
    await writeBundle(bundle, dir);
    await writeFile(join(dir, 'harness.cpp'), HARNESS);
    const files = [...(await sources(dir, 'tinyforge-sdk')), ...(await sources(dir, 'model')), join(dir, 'harness.cpp')];
    const objects: string[] = [];
    try {
      for (const file of files) {
        const obj = `${file}.o`;
        const cxx = file.endsWith('.c') ? ['gcc', '-std=c99'] : ['g++', '-std=c++11', '-fno-exceptions', '-fno-rtti'];
        await run(cxx[0]!, [...cxx.slice(1), '-O2', '-I', dir, '-c', file, '-o', obj]);
        objects.push(obj);
      }
      await run('g++', [...objects, '-o', join(dir, 'harness'), '-lm']);
    } catch (error) {
      throw new TinyforgeError({ code: 'TEST_FAILED', message: `the cpp library does not build with the host compiler: ${String((error as { stderr?: string }).stderr ?? error).split('\n').slice(0, 5).join(' ')}` });
    }
    const child = spawn(join(dir, 'harness'), [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buffered = '';
    const waiting: ((lines: [string, string]) => void)[] = [];
    const lines: string[] = [];
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      while (lines.length >= 2 && waiting.length > 0) waiting.shift()!([lines.shift()!, lines.shift()!]);
    });
    const inputSize = await frameSize(dir);
    return {
      async classify(sample: Sample): Promise<Classification> {
        let values = sample.values;
        if (values.length !== inputSize) {
          const windows = await featuresOf(impulse, sample); // a library without DSP takes features
          values = windows[0]?.values ?? values;
        }
        if (values.length !== inputSize) throw new Error(`the library takes ${inputSize} values, the sample has ${sample.values.length}`);
        const reply = new Promise<[string, string]>((resolve) => waiting.push(resolve));
        child.stdin.write(`${Array.from(values, (v) => v.toPrecision(9)).join(' ')}\n`);
        const [raw, scores] = await reply;
        if (!raw.startsWith('raw')) throw new Error(`run_classifier failed: ${raw}`);
        return { raw: Int8Array.from(raw.split(' ').slice(1).map(Number)), scores: Float32Array.from(scores.split(' ').slice(1).map(Number)) };
      },
      async close() {
        child.stdin.end();
        await new Promise((r) => child.on('close', r));
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

async function frameSize(dir: string): Promise<number> {
  const { stdout } = await run('g++', ['-E', '-dM', '-I', dir, '-x', 'c++', join(dir, 'model-parameters/model_metadata.h')]);
  const get = (name: string) => Number(new RegExp(`#define ${name} (\\d+)`).exec(stdout)?.[1]);
  return get('EI_CLASSIFIER_RAW_SAMPLE_COUNT') * get('EI_CLASSIFIER_RAW_SAMPLES_PER_FRAME');
}
