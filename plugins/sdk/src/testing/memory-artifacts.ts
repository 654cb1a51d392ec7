import { createHash } from 'node:crypto';
import type {
  Category,
  FileArtifactKind,
  FileSetReader,
  FileSetWriter,
  JsonObject,
  JsonValue,
  Sample,
  SampleArtifactKind,
  SampleRef,
  SampleSetReader,
  SampleSetWriter,
} from '../artifacts.js';

/** A sample from plain numbers; the rest defaults to a labelled, single-axis training sample. */
export function makeSample(init: Partial<Omit<Sample, 'values'>> & { values: ArrayLike<number> }): Sample {
  const sample: Sample = {
    id: init.id ?? 'sample-0',
    label: init.label === undefined ? 'a' : init.label,
    category: init.category ?? 'train',
    sensors: init.sensors ?? [{ name: 'value', units: 'N/A' }],
    intervalMs: init.intervalMs ?? 1,
    values: Float32Array.from(init.values),
  };
  if (init.shape) sample.shape = [...init.shape];
  if (init.meta) sample.meta = init.meta;
  return sample;
}

function sampleDigest(sample: Sample): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ id: sample.id, label: sample.label, category: sample.category, shape: sample.shape ?? null, meta: sample.meta ?? null }));
  hash.update(new Uint8Array(sample.values.buffer, sample.values.byteOffset, sample.values.byteLength));
  return hash.digest('hex');
}

/** An in-memory dataset/features artifact, as a block's input reader. */
export function memorySampleSet(samples: readonly Sample[], meta: JsonObject = {}, kind: SampleArtifactKind = 'dataset'): SampleSetReader {
  const byDigest = new Map<string, Sample>();
  const refs: SampleRef[] = samples.map((s) => {
    const digest = sampleDigest(s);
    byDigest.set(digest, s);
    return { id: s.id, label: s.label, category: s.category as Category, digest };
  });
  const reader: SampleSetReader = {
    kind,
    digest: createHash('sha256').update(refs.map((r) => r.digest).join(',')).digest('hex'),
    samples: refs,
    meta,
    async read(ref) {
      const found = byDigest.get(ref.digest);
      if (!found) throw new Error(`no sample with digest ${ref.digest} in this artifact`);
      return cloneSample(found);
    },
    async *[Symbol.asyncIterator]() {
      for (const ref of refs) yield await reader.read(ref);
    },
  };
  return reader;
}

/** A copy a block may mutate without touching the fixture. */
export function cloneSample(sample: Sample): Sample {
  const copy: Sample = { ...sample, sensors: sample.sensors.map((s) => ({ ...s })), values: new Float32Array(sample.values) };
  if (sample.shape) copy.shape = [...sample.shape];
  if (sample.meta) copy.meta = structuredClone(sample.meta);
  return copy;
}

export interface MemorySampleWriter extends SampleSetWriter {
  readonly samples: Sample[];
  meta: JsonObject;
}

export function memorySampleWriter(kind: SampleArtifactKind = 'dataset'): MemorySampleWriter {
  const writer: MemorySampleWriter = {
    kind,
    samples: [],
    meta: {},
    async add(sample) {
      checkOutputSample(sample, 'add()');
      writer.samples.push(sample);
    },
    setMeta(meta) {
      checkJson(meta, 'setMeta()');
      writer.meta = meta;
    },
  };
  return writer;
}

/** An in-memory model/bundle artifact: files given as bytes, text, or JSON values. */
export function memoryFileSet(files: Record<string, Uint8Array | string | JsonValue>, meta: JsonObject = {}, kind: FileArtifactKind = 'model'): FileSetReader {
  const bytes = new Map<string, Buffer>();
  for (const [name, content] of Object.entries(files)) {
    bytes.set(name, content instanceof Uint8Array ? Buffer.from(content) : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content)));
  }
  const list = [...bytes].map(([name, data]) => ({ name, digest: createHash('sha256').update(data).digest('hex'), size: data.length }));
  return {
    kind,
    digest: createHash('sha256').update(JSON.stringify(list)).digest('hex'),
    files: list,
    meta,
    async readFile(name) {
      const data = bytes.get(name);
      if (!data) throw new Error(`no file "${name}" in this artifact (has ${[...bytes.keys()].join(', ') || 'none'})`);
      return Buffer.from(data);
    },
    async readJson<T = JsonValue>(name: string): Promise<T> {
      return JSON.parse((await this.readFile(name)).toString('utf8')) as T;
    },
  };
}

export interface MemoryFileWriter extends FileSetWriter {
  readonly files: Map<string, Buffer>;
  meta: JsonObject;
}

export function memoryFileWriter(kind: FileArtifactKind = 'model'): MemoryFileWriter {
  const writer: MemoryFileWriter = {
    kind,
    files: new Map(),
    meta: {},
    async writeFile(name, data) {
      writer.files.set(name, Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    },
    async writeJson(name, value) {
      checkJson(value, `writeJson("${name}")`);
      writer.files.set(name, Buffer.from(JSON.stringify(value)));
    },
    setMeta(meta) {
      checkJson(meta, 'setMeta()');
      writer.meta = meta;
    },
  };
  return writer;
}

/** The runner stores what a block returns; catch what it would refuse here, with a clear reason. */
export function checkOutputSample(sample: Sample, where: string): void {
  if (!sample || typeof sample.id !== 'string' || sample.id === '') throw new Error(`${where}: a sample needs a non-empty string id`);
  if (!(sample.values instanceof Float32Array)) throw new Error(`${where}: sample ${sample.id}: values must be a Float32Array, found ${Object.prototype.toString.call(sample.values)}`);
  if (sample.category !== 'train' && sample.category !== 'test') throw new Error(`${where}: sample ${sample.id}: category must be "train" or "test"`);
  if (sample.shape && sample.shape.reduce((a, b) => a * b, 1) !== sample.values.length) {
    throw new Error(`${where}: sample ${sample.id}: shape [${sample.shape.join(', ')}] does not match ${sample.values.length} values`);
  }
  if (sample.meta !== undefined) checkJson(sample.meta, `${where}: sample ${sample.id}: meta`);
}

function checkJson(value: unknown, where: string): void {
  const bad = findNonJson(value, '');
  if (bad !== undefined) throw new Error(`${where} must be plain JSON; ${bad}`);
}

function findNonJson(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path || 'value'} is ${value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findNonJson(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const bad = findNonJson(v, path ? `${path}.${k}` : k);
      if (bad) return bad;
    }
    return undefined;
  }
  return `${path || 'value'} is ${Object.prototype.toString.call(value)}`;
}
