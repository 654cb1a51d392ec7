import type { FileSetWriter, JsonObject, JsonValue, Sample, SampleRef, SampleSetReader } from '@tinyforge/sdk';

/** In-memory artifacts for running a whole block in tests (no runner, no store). */
export function sampleReader(samples: Sample[], meta: JsonObject = {}): SampleSetReader {
  const refs: SampleRef[] = samples.map((s) => ({ id: s.id, label: s.label, category: s.category, digest: s.id }));
  return {
    kind: 'features',
    digest: 'test',
    samples: refs,
    meta,
    read: async (ref) => samples.find((s) => s.id === ref.id)!,
    async *[Symbol.asyncIterator]() {
      for (const s of samples) yield s;
    },
  } as SampleSetReader;
}

export interface MemoryFiles extends FileSetWriter {
  files: Map<string, Uint8Array | string>;
  meta: JsonObject;
  json(name: string): JsonValue;
}

export function memoryWriter(): MemoryFiles {
  const files = new Map<string, Uint8Array | string>();
  const w: MemoryFiles = {
    kind: 'model',
    files,
    meta: {},
    async writeFile(name, data) {
      files.set(name, data);
    },
    async writeJson(name, value) {
      files.set(name, JSON.stringify(value));
    },
    setMeta(meta) {
      w.meta = meta;
    },
    json(name) {
      return JSON.parse(files.get(name) as string) as JsonValue;
    },
  };
  return w;
}

export interface FakeContext {
  ctx: Record<string, unknown>;
  progress: { done: number; total?: number; note?: string }[];
  logs: string[];
}

export function fakeContext<P>(params: P, features: SampleSetReader, out: MemoryFiles, opts: { signal?: AbortSignal; onProgress?: (done: number) => void } = {}): FakeContext {
  const progress: FakeContext['progress'] = [];
  const logs: string[] = [];
  return {
    ctx: {
      params,
      inputs: { features },
      outputs: { model: out },
      log: { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), debug: () => {} },
      progress: (done: number, total?: number, note?: string) => {
        progress.push({ done, ...(total !== undefined ? { total } : {}), ...(note !== undefined ? { note } : {}) });
        opts.onProgress?.(done);
      },
      signal: opts.signal ?? new AbortController().signal,
      scratchDir: '/tmp',
      pipelineDir: '/tmp',
      blockName: 'classifier',
    },
    progress,
    logs,
  };
}
