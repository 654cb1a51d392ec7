import { badInput } from '@tinyforge/sdk';
import type { Recording } from './recording.js';

/**
 * CSV time series: a header row, one row per frame. An optional timestamp column (ms or s) sets
 * the interval; otherwise `intervalMs` must. Every other numeric column is an axis unless
 * `columns` picks some. A label column and group columns split one file into several recordings
 * (e.g. one per fan configuration and speed).
 */
export interface CsvOptions {
  /** Timestamp column; `undefined` = auto-detect by name, `null` = there is none. */
  timestampColumn?: string | null;
  /** Unit of the timestamp column when its name does not say (`time_ms`, `t_s`, `time (s)`). */
  timeUnit?: 'ms' | 's';
  /** Frame interval when the file has no timestamp column. */
  intervalMs?: number;
  /** Axis columns to keep, in this order; default all remaining columns. */
  columns?: readonly string[];
  labelColumn?: string;
  groupColumns?: readonly string[];
  /** Units of every axis (SenML-style, e.g. `m/s2`, `g`). */
  units?: string;
}

const TIMESTAMP_NAMES = /^(timestamp|time|ts|t)([ _-]?(ms|s)|\s*\((ms|s)\))?$/i;

function unitFromName(name: string): 'ms' | 's' | undefined {
  const m = TIMESTAMP_NAMES.exec(name.trim());
  const unit = m?.[3] ?? m?.[4];
  return unit === undefined ? undefined : (unit.toLowerCase() as 'ms' | 's');
}

/** Splits one CSV line; supports RFC 4180 quotes ("a,b" and "" escapes) when present. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { fields.push(field); field = ''; }
    else field += ch;
  }
  fields.push(field);
  return fields;
}

/** Parses a decimal number strictly: no blanks, no hex, no Infinity/NaN. */
export function parseNumberStrict(text: string): number {
  const s = text.trim();
  if (s === '' || !/^[+-]?(\d|\.\d)/.test(s)) return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/** Lines of a text file without the trailing empty line, BOM or `\r`. */
export function textLines(bytes: Uint8Array): string[] {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

interface Group {
  part: string | undefined;
  label: string | undefined;
  rows: number[][];
  times: number[];
}

export function readCsv(bytes: Uint8Array, file: string, opts: CsvOptions = {}): Recording[] {
  if (bytes.length === 0) throw badInput(file, 'empty file');
  const lines = textLines(bytes);
  const headerLine = lines[0];
  if (headerLine === undefined) throw badInput(file, 'CSV file has no header row');
  const header = splitCsvLine(headerLine).map((h) => h.trim());
  const indexOf = (name: string, what: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw badInput(file, `CSV has no ${what} column "${name}"`, { found: header.join(',') });
    return i;
  };
  if (new Set(header).size !== header.length) throw badInput(file, `CSV header has duplicate column names: ${header.join(',')}`);

  let timeIndex = -1;
  if (opts.timestampColumn) timeIndex = indexOf(opts.timestampColumn, 'timestamp');
  else if (opts.timestampColumn === undefined) timeIndex = header.findIndex((h) => TIMESTAMP_NAMES.test(h));
  const timeName = timeIndex >= 0 ? header[timeIndex]! : undefined;
  const timeScaleMs = timeName === undefined ? 0 : (unitFromName(timeName) ?? opts.timeUnit ?? 'ms') === 's' ? 1000 : 1;
  if (timeIndex < 0 && !(opts.intervalMs !== undefined && opts.intervalMs > 0)) {
    throw badInput(file, 'CSV has no timestamp column and no interval is set', { hint: 'set the csv.intervalMs (or csv.frequencyHz) param, or add a "timestamp" column in ms' });
  }

  const labelIndex = opts.labelColumn ? indexOf(opts.labelColumn, 'label') : -1;
  const groupIndexes = (opts.groupColumns ?? []).map((g) => indexOf(g, 'group'));
  const keyIndexes = labelIndex >= 0 ? [labelIndex, ...groupIndexes] : groupIndexes;
  const reserved = new Set([timeIndex, ...keyIndexes]);
  const axisIndexes = opts.columns
    ? opts.columns.map((c) => indexOf(c, 'axis'))
    : header.map((_, i) => i).filter((i) => !reserved.has(i));
  if (axisIndexes.length === 0) throw badInput(file, 'CSV has no axis columns');

  const groups = new Map<string, Group>();
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line);
    if (fields.length !== header.length) {
      throw badInput(file, `line ${n + 1}: expected ${header.length} fields, found ${fields.length}`);
    }
    const key = keyIndexes.map((i) => fields[i]!.trim()).join('\u0000');
    let group = groups.get(key);
    if (!group) {
      const part = keyIndexes.length > 0 ? keyIndexes.map((i) => `${header[i]}=${fields[i]!.trim()}`).join(',') : undefined;
      group = { part, label: labelIndex >= 0 ? fields[labelIndex]!.trim() : undefined, rows: [], times: [] };
      groups.set(key, group);
    }
    const row = new Array<number>(axisIndexes.length);
    for (let a = 0; a < axisIndexes.length; a++) {
      const col = axisIndexes[a]!;
      const v = parseNumberStrict(fields[col]!);
      if (Number.isNaN(v)) {
        throw badInput(file, `line ${n + 1}, column "${header[col]}": ${JSON.stringify(fields[col]!.slice(0, 40))} is not a number`);
      }
      row[a] = v;
    }
    if (timeIndex >= 0) {
      const t = parseNumberStrict(fields[timeIndex]!);
      if (Number.isNaN(t)) throw badInput(file, `line ${n + 1}, column "${timeName}": ${JSON.stringify(fields[timeIndex]!.slice(0, 40))} is not a number`);
      const prev = group.times[group.times.length - 1];
      if (prev !== undefined && t * timeScaleMs <= prev) throw badInput(file, `line ${n + 1}: timestamps must increase`);
      group.times.push(t * timeScaleMs);
    }
    group.rows.push(row);
  }
  if (groups.size === 0) throw badInput(file, 'CSV has a header but no data rows');

  const sensors = axisIndexes.map((i) => ({ name: header[i]!, units: opts.units ?? '' }));
  return [...groups.values()].map((g) => {
    const frames = g.rows.length;
    const values = new Float32Array(frames * axisIndexes.length);
    g.rows.forEach((row, f) => values.set(row, f * axisIndexes.length));
    let intervalMs = opts.intervalMs ?? 0;
    if (timeIndex >= 0 && frames > 1) intervalMs = (g.times[frames - 1]! - g.times[0]!) / (frames - 1);
    if (!(intervalMs > 0)) throw badInput(file, 'CSV has a single timestamped row: cannot tell the interval', { hint: 'set csv.intervalMs' });
    const rec: Recording = { sensors, intervalMs, values, shape: [frames, axisIndexes.length] };
    if (g.part !== undefined) rec.part = g.part;
    if (g.label !== undefined) rec.label = g.label === '' ? null : g.label;
    return rec;
  });
}
