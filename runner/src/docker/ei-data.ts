import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { TinyforgeError, type Category, type JsonObject, type Sample, type SampleSetReader, type SensorInfo } from '@tinyforge/sdk';

/**
 * Samples as Edge Impulse's export layout: `training/` and `testing/` folders of data-acquisition
 * JSON files named `<label>.<n>.json`, and an `info.labels` index. The index also carries what
 * EI's format has no field for (sample id, shape, meta) under `tinyforge`, so a block that copies
 * the index through keeps them.
 */
export interface InfoLabels {
  version: 1;
  files: InfoLabelsEntry[];
}
interface InfoLabelsEntry {
  path: string;
  name: string;
  category: 'training' | 'testing';
  label: { type: 'label'; label: string } | { type: 'unlabeled' };
  tinyforge?: { id?: string; shape?: number[]; meta?: JsonObject };
}

export interface WrittenSample {
  /** Path relative to the folder. */
  path: string;
  id: string;
}

export async function writeEiDataset(reader: SampleSetReader, dir: string): Promise<WrittenSample[]> {
  const index: InfoLabels = { version: 1, files: [] };
  const written: WrittenSample[] = [];
  let n = 0;
  await mkdir(join(dir, 'training'), { recursive: true });
  await mkdir(join(dir, 'testing'), { recursive: true });
  for await (const sample of reader) {
    const category = sample.category === 'test' ? 'testing' : 'training';
    const path = `${category}/${fileLabel(sample.label)}.${String(n++).padStart(6, '0')}.json`;
    await writeFile(join(dir, path), JSON.stringify(toEiJson(sample)));
    index.files.push({
      path,
      name: sample.id,
      category,
      label: sample.label === null ? { type: 'unlabeled' } : { type: 'label', label: sample.label },
      tinyforge: { id: sample.id, ...(sample.shape ? { shape: sample.shape } : {}), ...(sample.meta ? { meta: sample.meta } : {}) },
    });
    written.push({ path, id: sample.id });
  }
  await writeFile(join(dir, 'info.labels'), JSON.stringify(index, null, 1));
  return written;
}

/** One sample as EI data-acquisition JSON (unsigned: `alg: none`). */
export function toEiJson(sample: Sample): JsonObject {
  const axes = Math.max(1, sample.sensors.length);
  const values: number[] | number[][] = [];
  if (axes === 1) for (const v of sample.values) (values as number[]).push(v);
  else for (let i = 0; i + axes <= sample.values.length; i += axes) (values as number[][]).push(Array.from(sample.values.subarray(i, i + axes)));
  return {
    protected: { ver: 'v1', alg: 'none', iat: 0 },
    signature: '0'.repeat(64),
    payload: {
      device_type: 'tinyforge',
      interval_ms: sample.intervalMs,
      sensors: sample.sensors.map((s) => ({ name: s.name, units: s.units })),
      values,
    },
  };
}

/**
 * Reads what a transform block wrote: the files its `info.labels` lists, or else every `.json`
 * file (label from the name before the first `.`, category from a `testing/` folder).
 */
export async function readEiDataset(dir: string, warn: (message: string) => void): Promise<Sample[]> {
  const indexFile = join(dir, 'info.labels');
  const entries: { path: string; id: string; label: string | null; category: Category; shape?: number[]; meta?: JsonObject }[] = [];
  if (existsSync(indexFile)) {
    const index = parseJson(await readFile(indexFile, 'utf8'), indexFile) as Partial<InfoLabels>;
    if (!Array.isArray(index.files)) throw badOutput(indexFile, 'info.labels has no "files" list');
    for (const f of index.files) {
      entries.push({
        path: f.path,
        id: f.tinyforge?.id ?? f.name ?? f.path,
        label: f.label?.type === 'label' ? f.label.label : null,
        category: f.category === 'testing' ? 'test' : 'train',
        ...(f.tinyforge?.shape ? { shape: f.tinyforge.shape } : {}),
        ...(f.tinyforge?.meta ? { meta: f.tinyforge.meta } : {}),
      });
    }
  } else {
    const files = await listFiles(dir);
    const json = files.filter((f) => f.endsWith('.json') && f !== 'ei-metadata.json');
    if (files.length > json.length) warn(`ignored ${files.length - json.length} output file(s) that are not Edge Impulse JSON: ${files.filter((f) => !json.includes(f)).slice(0, 5).join(', ')}`);
    for (const path of json) {
      const base = path.split('/').pop()!;
      entries.push({ path, id: path, label: base.includes('.') ? base.slice(0, base.indexOf('.')) : null, category: path.split('/').includes('testing') ? 'test' : 'train' });
    }
  }
  const samples: Sample[] = [];
  for (const e of entries) {
    const file = join(dir, e.path);
    if (!existsSync(file)) throw badOutput(indexFile, `lists ${e.path}, which the block did not write`);
    const sample = fromEiJson(parseJson(await readFile(file, 'utf8'), file), file);
    samples.push({
      ...sample,
      id: e.id,
      label: e.label,
      category: e.category,
      ...(e.shape && e.shape.reduce((a, b) => a * b, 1) === sample.values.length ? { shape: e.shape } : {}),
      ...(e.meta ? { meta: e.meta } : {}),
    });
  }
  return samples;
}

function fromEiJson(doc: unknown, file: string): Pick<Sample, 'sensors' | 'intervalMs' | 'values' | 'shape'> {
  const payload = (doc as { payload?: { interval_ms?: unknown; sensors?: unknown; values?: unknown } })?.payload;
  if (!payload || !Array.isArray(payload.values)) throw badOutput(file, 'not Edge Impulse data-acquisition JSON (no payload.values)');
  const sensors: SensorInfo[] = Array.isArray(payload.sensors)
    ? payload.sensors.map((s: { name?: unknown; units?: unknown }) => ({ name: String(s?.name ?? ''), units: String(s?.units ?? '') }))
    : [];
  const rows = payload.values as unknown[];
  const twoD = rows.length > 0 && Array.isArray(rows[0]);
  const width = twoD ? (rows[0] as unknown[]).length : 1;
  const values = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    const cells = twoD ? (row as unknown[]) : [row];
    if (cells.length !== width) throw badOutput(file, `row ${i} has ${cells.length} values, expected ${width}`);
    cells.forEach((v, j) => {
      if (typeof v !== 'number') throw badOutput(file, `row ${i}: ${JSON.stringify(v)} is not a number`);
      values[i * width + j] = v;
    });
  });
  return { sensors, intervalMs: Number(payload.interval_ms ?? 0), values, ...(twoD ? { shape: [rows.length, width] } : {}) };
}

/** Files under a folder, relative and `/`-separated, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, entry.name);
      if (entry.isDirectory()) await walk(abs);
      else if (entry.isFile()) out.push(relative(dir, abs).split(sep).join('/'));
    }
  };
  if (existsSync(dir)) await walk(dir);
  return out.sort();
}

function fileLabel(label: string | null): string {
  return label === null ? 'unlabeled' : label.replace(/[^A-Za-z0-9_-]+/g, '_') || '_';
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badOutput(file, `not valid JSON: ${(error as Error).message}`);
  }
}

function badOutput(file: string, message: string): TinyforgeError {
  return new TinyforgeError({ code: 'BLOCK_FAILED', file, message: `container output: ${message}` });
}

