import { badInput, type Category } from '@tinyforge/sdk';
import { parseNumberStrict, splitCsvLine, textLines } from './readers/csv.js';

/**
 * Where a sample's label comes from: the parent folder, the file name (Edge Impulse's rule:
 * text before the first '.'), a regex over the relative path, or a labels file that maps files
 * to labels and optionally to labelled segments (`file,label,start,end`).
 */

/** Folder names that set the split rather than the label. */
export const SPLIT_FOLDERS: Readonly<Record<string, Category>> = { training: 'train', train: 'train', testing: 'test', test: 'test' };
const UNLABELLED_FOLDERS = new Set(['unlabeled', 'unlabelled']);

function segmentsOf(relPath: string): string[] {
  return relPath.split('/').filter((s) => s !== '' && s !== '.');
}

/** Nearest parent folder that is not a split folder; `null` at the root or under `unlabeled/`. */
export function labelFromFolder(relPath: string): string | null {
  const dirs = segmentsOf(relPath).slice(0, -1);
  for (let i = dirs.length - 1; i >= 0; i--) {
    const name = dirs[i]!;
    if (UNLABELLED_FOLDERS.has(name.toLowerCase())) return null;
    if (!(name.toLowerCase() in SPLIT_FOLDERS)) return name;
  }
  return null;
}

/** Edge Impulse's uploader rule: `wave.01.cbor` → `wave`. */
export function labelFromFileName(relPath: string): string | null {
  const base = segmentsOf(relPath).pop() ?? '';
  const label = base.split('.')[0] ?? '';
  return label === '' ? null : label;
}

/** First capture group (or whole match) of `pattern` over the relative path; `null` if no match. */
export function labelFromPattern(relPath: string, pattern: RegExp): string | null {
  const m = pattern.exec(relPath);
  if (!m) return null;
  return m[1] ?? m[0];
}

/** A labelled stretch of a long recording, in frames, `end` exclusive. */
export interface LabelSegment {
  label: string;
  start: number;
  end: number;
}

export interface LabelEntry {
  label?: string | null;
  category?: Category;
  /** Segment bounds in the unit of the labels file; resolved to frames by `segmentFrames`. */
  segments?: LabelSegment[];
}

/** Labels by source path (relative to the source root, `/` separators). */
export type LabelsTable = Map<string, LabelEntry>;

export interface LabelsFileOptions {
  fileColumn?: string;
  labelColumn?: string;
  startColumn?: string;
  endColumn?: string;
  categoryColumn?: string;
}

export function normalizeRelPath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

function parseCategory(value: unknown, file: string, where: string): Category | undefined {
  if (value === undefined || value === null || value === '' || value === 'split') return undefined;
  const c = typeof value === 'string' ? SPLIT_FOLDERS[value.toLowerCase()] : undefined;
  if (!c) throw badInput(file, `${where}: category ${JSON.stringify(value)} is not training/testing`);
  return c;
}

function addEntry(table: LabelsTable, file: string, where: string, path: string, label: string | null, category: Category | undefined, segment?: { start: number; end: number }): void {
  const key = normalizeRelPath(path);
  if (key === '') throw badInput(file, `${where}: empty file name`);
  const entry = table.get(key) ?? {};
  if (segment) {
    if (label === null) throw badInput(file, `${where}: a segment needs a label`);
    if (!(segment.end >= segment.start) || segment.start < 0) throw badInput(file, `${where}: segment end ${segment.end} is before start ${segment.start}`);
    (entry.segments ??= []).push({ label, ...segment });
  } else {
    if (entry.label !== undefined && entry.label !== label) throw badInput(file, `${where}: "${key}" is labelled twice (${entry.label}, ${label})`);
    entry.label = label;
  }
  if (category) entry.category = category;
  table.set(key, entry);
}

function parseCsvLabels(bytes: Uint8Array, file: string, opts: LabelsFileOptions): LabelsTable {
  const lines = textLines(bytes);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const col = (name: string | undefined, required: boolean): number => {
    const i = name === undefined ? -1 : header.indexOf(name);
    if (i < 0 && required) throw badInput(file, `labels file has no column "${name}"`, { found: header.join(',') });
    return i;
  };
  const fileCol = col(opts.fileColumn ?? 'file', true);
  const labelCol = col(opts.labelColumn ?? 'label', true);
  const startCol = col(opts.startColumn ?? 'start', false);
  const endCol = col(opts.endColumn ?? 'end', false);
  const categoryCol = col(opts.categoryColumn ?? 'category', false);
  if ((startCol < 0) !== (endCol < 0)) throw badInput(file, 'labels file has a start column without an end column (or the reverse)');
  const table: LabelsTable = new Map();
  for (let n = 1; n < lines.length; n++) {
    if (lines[n]!.trim() === '') continue;
    const where = `line ${n + 1}`;
    const fields = splitCsvLine(lines[n]!);
    if (fields.length !== header.length) throw badInput(file, `${where}: expected ${header.length} fields, found ${fields.length}`);
    const labelText = fields[labelCol]!.trim();
    const category = categoryCol >= 0 ? parseCategory(fields[categoryCol]!.trim(), file, where) : undefined;
    let segment: { start: number; end: number } | undefined;
    if (startCol >= 0) {
      const start = parseNumberStrict(fields[startCol]!);
      const end = parseNumberStrict(fields[endCol]!);
      if (Number.isNaN(start) || Number.isNaN(end)) throw badInput(file, `${where}: segment start/end are not numbers`);
      segment = { start, end };
    }
    addEntry(table, file, where, fields[fileCol]!.trim(), labelText === '' ? null : labelText, category, segment);
  }
  return table;
}

/**
 * JSON labels: `{ "file": "label" }`, `[{ file, label, start?, end?, category? }]`, or Edge
 * Impulse's `info.labels` (`{ version: 1, files: [{ path, category, label: { type, label | labels } }] }`).
 */
function parseJsonLabels(bytes: Uint8Array, file: string): LabelsTable {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw badInput(file, `labels file is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const table: LabelsTable = new Map();
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  if (Array.isArray(doc) || (typeof doc === 'object' && doc !== null && Array.isArray((doc as { files?: unknown }).files))) {
    const list: unknown[] = Array.isArray(doc) ? doc : (doc as { files: unknown[] }).files;
    list.forEach((item, i) => {
      const where = `entry ${i}`;
      if (typeof item !== 'object' || item === null) throw badInput(file, `${where} is not an object`);
      const e = item as Record<string, unknown>;
      const path = str(e['file']) ?? str(e['path']);
      if (path === null) throw badInput(file, `${where} has no "file" (or "path")`);
      const category = parseCategory(e['category'], file, where);
      const label = e['label'];
      if (typeof label === 'object' && label !== null) {
        // Edge Impulse info.labels form
        const l = label as { type?: unknown; label?: unknown; labels?: unknown };
        if (l.type === 'multi-label' && Array.isArray(l.labels)) {
          for (const seg of l.labels as Record<string, unknown>[]) {
            const name = str(seg['label']);
            const start = seg['startIndex'], end = seg['endIndex'];
            if (name === null || typeof start !== 'number' || typeof end !== 'number') throw badInput(file, `${where}: multi-label entries need label, startIndex, endIndex`);
            addEntry(table, file, where, path, name, category, { start, end });
          }
        } else addEntry(table, file, where, path, str(l.label), category);
      } else if (typeof e['start'] === 'number' && typeof e['end'] === 'number') {
        addEntry(table, file, where, path, str(label), category, { start: e['start'], end: e['end'] });
      } else addEntry(table, file, where, path, str(label), category);
    });
    return table;
  }
  if (typeof doc === 'object' && doc !== null) {
    for (const [path, label] of Object.entries(doc)) {
      if (label !== null && typeof label !== 'string') throw badInput(file, `label of "${path}" is not a string`);
      addEntry(table, file, `"${path}"`, path, str(label), undefined);
    }
    return table;
  }
  throw badInput(file, 'labels JSON must be an object (file → label), an array of entries, or Edge Impulse info.labels');
}

export function parseLabelsFile(bytes: Uint8Array, file: string, opts: LabelsFileOptions = {}): LabelsTable {
  if (bytes.length === 0) throw badInput(file, 'empty labels file');
  const text = Buffer.from(bytes).toString('utf8').trimStart();
  return text.startsWith('{') || text.startsWith('[') ? parseJsonLabels(bytes, file) : parseCsvLabels(bytes, file, opts);
}

export interface SegmentUnits {
  /** `frames`: sample indices; `ms`: milliseconds from the start. */
  unit: 'frames' | 'ms';
  /** 1 when the file counts frames from 1 (MATLAB-made labels, e.g. UCI HAPT). */
  indexBase: 0 | 1;
  /** Whether `end` names the last frame of the segment (true) or the one after it. */
  endInclusive: boolean;
}

/** Converts a labels-file segment to `[start, end)` frames of a recording (bounds not checked here). */
export function segmentFrames(seg: LabelSegment, intervalMs: number, units: SegmentUnits): { start: number; end: number } {
  if (units.unit === 'ms') {
    const start = Math.round(seg.start / intervalMs);
    const end = Math.round(seg.end / intervalMs) + (units.endInclusive ? 1 : 0);
    return { start, end };
  }
  const start = seg.start - units.indexBase;
  const end = seg.end - units.indexBase + (units.endInclusive ? 1 : 0);
  return { start, end };
}
