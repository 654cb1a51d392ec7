import { badInput, type Category, type JsonObject, type Sample } from '@tinyforge/sdk';
import { readCsv } from '../readers/csv.js';
import { readDataAcquisition } from '../readers/data-acquisition.js';
import { readImage } from '../readers/image.js';
import type { Recording } from '../readers/recording.js';
import { readWav } from '../readers/wav.js';
import {
  labelFromFileName,
  labelFromFolder,
  labelFromPattern,
  segmentFrames,
  type LabelEntry,
  type LabelsTable,
} from '../labels.js';
import { categoryFromFolder, categoryFromHash, groupKeyOf } from '../split.js';
import type { SignaturePolicy } from '../signature.js';
import type { FilesParams } from './params.js';

/**
 * The pure core of `ingest/files`: one file's bytes → samples. Everything that needs the disk
 * (labels file, HMAC key) is passed in already loaded.
 */
export interface IngestEnv {
  labels?: LabelsTable | undefined;
  signature: SignaturePolicy;
}

function extensionOf(relPath: string): string {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** Decodes a file by its extension into one or more recordings. */
export function readRecordings(relPath: string, content: Uint8Array, params: FilesParams, env: IngestEnv): Recording[] {
  if (content.length === 0) throw badInput(relPath, 'empty file');
  const ext = extensionOf(relPath);
  switch (ext) {
    case '.wav':
      return [readWav(content, relPath, params.audio.scale)];
    case '.csv': {
      const { csv } = params;
      const intervalMs = csv.intervalMs ?? (csv.frequencyHz ? 1000 / csv.frequencyHz : undefined);
      return readCsv(content, relPath, {
        timestampColumn: csv.timestampColumn,
        timeUnit: csv.timeUnit,
        intervalMs,
        columns: csv.columns,
        labelColumn: csv.labelColumn,
        groupColumns: csv.groupColumns,
        units: csv.units,
      });
    }
    case '.json':
    case '.cbor':
      return [readDataAcquisition(content, relPath, ext === '.json' ? 'json' : 'cbor', env.signature)];
    case '.png':
      return [readImage(content, relPath, 'png', params.image.channels)];
    case '.jpg':
    case '.jpeg':
      return [readImage(content, relPath, 'jpeg', params.image.channels)];
    default:
      throw badInput(relPath, `no reader for "${ext || relPath}" files`, { hint: 'restrict the extensions param to .wav .csv .json .cbor .png .jpg' });
  }
}

function labelOf(relPath: string, params: FilesParams, entry: LabelEntry | undefined): string | null {
  switch (params.labels.from) {
    case 'folder':
      return labelFromFolder(relPath);
    case 'filename':
      return labelFromFileName(relPath);
    case 'pattern':
      return labelFromPattern(relPath, new RegExp(params.labels.pattern ?? '^$'));
    case 'file':
      return entry?.label ?? null;
    case 'none':
      return null;
  }
}

function categoryOf(relPath: string, sampleId: string, group: string | undefined, params: FilesParams, entry: LabelEntry | undefined): Category {
  if (entry?.category) return entry.category;
  const { split } = params;
  if (split.from !== 'hash') {
    const fromFolder = categoryFromFolder(relPath);
    if (fromFolder) return fromFolder;
    if (split.from === 'folder') return 'train';
  }
  const key = split.by === 'sample' ? sampleId : split.by === 'group' ? (group ?? relPath) : relPath;
  return categoryFromHash(key, split.testRatio, split.salt);
}

function checkRate(rec: Recording, relPath: string, params: FilesParams): void {
  if (params.expectFrequencyHz === undefined || rec.intervalMs === 0) return;
  const hz = 1000 / rec.intervalMs;
  if (Math.abs(hz - params.expectFrequencyHz) > 1e-6 * params.expectFrequencyHz) {
    throw badInput(relPath, `sample rate ${+hz.toFixed(3)} Hz differs from the dataset's ${params.expectFrequencyHz} Hz`, {
      hint: 'resample it (transform/resample) or fix expectFrequencyHz',
    });
  }
}

function frameSlice(rec: Recording, start: number, end: number): Float32Array {
  const axes = rec.shape[1] ?? 1;
  return rec.values.slice(start * axes, end * axes);
}

/** One file → samples: label, split, ids and meta; labelled segments become one sample each. */
export function samplesFromFile(relPath: string, content: Uint8Array, params: FilesParams, env: IngestEnv): Sample[] {
  const entry = env.labels?.get(relPath);
  const groupPattern = params.split.groupPattern === undefined ? undefined : new RegExp(params.split.groupPattern);
  const group = groupKeyOf(relPath, groupPattern);
  const baseLabel = labelOf(relPath, params, entry);
  const samples: Sample[] = [];
  for (const rec of readRecordings(relPath, content, params, env)) {
    checkRate(rec, relPath, params);
    const recId = rec.part === undefined ? relPath : `${relPath}:${rec.part}`;
    const meta: JsonObject = { source: relPath, ...(rec.meta ?? {}) };
    if (group !== undefined) meta['group'] = group;
    if (rec.part !== undefined) meta['part'] = rec.part;
    const label = rec.label !== undefined ? rec.label : baseLabel;
    const segments = entry?.segments;
    if (!segments || segments.length === 0) {
      samples.push({
        id: recId, label, category: categoryOf(relPath, recId, group, params, entry),
        sensors: rec.sensors, intervalMs: rec.intervalMs, values: rec.values, shape: rec.shape, meta,
      });
      continue;
    }
    const frames = rec.shape[0] ?? 0;
    const units = { unit: params.labels.segmentUnit, indexBase: params.labels.segmentIndexBase, endInclusive: params.labels.segmentEndInclusive };
    const ranges = segments.map((seg) => {
      const { start, end } = segmentFrames(seg, rec.intervalMs, units);
      if (start < 0 || end > frames || end <= start) {
        throw badInput(relPath, `labelled segment ${seg.label} [${seg.start}, ${seg.end}] is outside the recording (${frames} frames)`);
      }
      return { label: seg.label, start, end };
    });
    if (params.labels.segments === 'annotate') {
      samples.push({
        id: recId, label, category: categoryOf(relPath, recId, group, params, entry),
        sensors: rec.sensors, intervalMs: rec.intervalMs, values: rec.values, shape: rec.shape,
        meta: { ...meta, labelRanges: ranges },
      });
      continue;
    }
    for (const { label: segLabel, start, end } of ranges) {
      const id = `${recId}[${start}-${end}]`;
      samples.push({
        id, label: segLabel, category: categoryOf(relPath, id, group, params, entry),
        sensors: rec.sensors, intervalMs: rec.intervalMs, values: frameSlice(rec, start, end),
        shape: [end - start, ...rec.shape.slice(1)],
        meta: { ...meta, segmentStart: start, segmentEnd: end },
      });
    }
  }
  return samples;
}

/**
 * Dataset-level check the per-file reader cannot make: every time series has the same rate and
 * axes. Returns the first offending sample as a BAD_INPUT error (or undefined). Meant for the
 * runner (or a learn block) after ingest, when `expectFrequencyHz` was not given.
 */
export function checkConsistentSignals(samples: Iterable<Pick<Sample, 'id' | 'intervalMs' | 'sensors' | 'meta'>>) {
  let first: Pick<Sample, 'id' | 'intervalMs' | 'sensors' | 'meta'> | undefined;
  for (const s of samples) {
    if (s.intervalMs === 0) continue;
    if (!first) { first = s; continue; }
    const file = typeof s.meta?.['source'] === 'string' ? s.meta['source'] : s.id;
    if (Math.abs(s.intervalMs - first.intervalMs) > 1e-9 * first.intervalMs) {
      return badInput(file, `sample rate ${+(1000 / s.intervalMs).toFixed(3)} Hz differs from ${+(1000 / first.intervalMs).toFixed(3)} Hz of ${first.id}`, {
        hint: 'resample with transform/resample, or set expectFrequencyHz on the ingest block',
      });
    }
    if (s.sensors.length !== first.sensors.length) {
      return badInput(file, `has ${s.sensors.length} axes, ${first.id} has ${first.sensors.length}`);
    }
  }
  return undefined;
}
