import type { z } from 'zod';
import type { FileSetReader } from '../artifacts.js';
import { TinyforgeError } from '../errors.js';
import type { AnyTarget, OutputDirWriter, TargetDspBlock } from '../target.js';
import type { LogLine } from './run-block.js';

export interface MemoryOutputDir extends OutputDirWriter {
  readonly files: Map<string, Buffer>;
}

/** An output folder in memory; refuses absolute paths and `..` as the runner's writer does. */
export function memoryOutputDir(): MemoryOutputDir {
  const files = new Map<string, Buffer>();
  const check = (relPath: string) => {
    if (relPath.startsWith('/') || relPath.split('/').includes('..') || relPath.includes('\\')) throw new Error(`output path must be relative, "/"-separated and stay inside the folder: ${relPath}`);
  };
  return {
    files,
    async writeFile(relPath, data) {
      check(relPath);
      files.set(relPath, Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    },
    async writeJson(relPath, value) {
      check(relPath);
      files.set(relPath, Buffer.from(`${JSON.stringify(value, null, 2)}\n`));
    },
  };
}

export interface TargetRunResult {
  files: Map<string, Buffer>;
  logs: LogLine[];
}

/** Runs a target's `emit` on an in-memory model and DSP block list; returns the files written. */
export async function runTarget<T extends AnyTarget>(
  target: T,
  input: { model: FileSetReader; dsp?: readonly TargetDspBlock[]; pipeline?: { name: string; version?: string } },
  params: z.input<T['params']> | Record<string, unknown> = {},
): Promise<TargetRunResult> {
  const parsed = target.params.safeParse(params);
  if (!parsed.success) {
    throw new TinyforgeError({ code: 'PARAMS_INVALID', message: `${target.id}: invalid params: ${parsed.error.issues.map((i: { path: PropertyKey[]; message: string }) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}` });
  }
  const output = memoryOutputDir();
  const logs: LogLine[] = [];
  await target.emit({
    params: parsed.data,
    model: input.model,
    dsp: input.dsp ?? [],
    output,
    pipeline: input.pipeline ?? { name: 'test' },
    log: {
      info: (message) => logs.push({ level: 'info', message }),
      warn: (message) => logs.push({ level: 'warn', message }),
      debug: (message) => logs.push({ level: 'debug', message }),
    },
    signal: new AbortController().signal,
  });
  return { files: output.files, logs };
}
