import { z } from 'zod';

/** Params of `ingest/files`. Paths are relative to the pipeline file's folder. */
export const filesParams = z.object({
  directory: z.string().min(1).describe('Folder scanned recursively for data files'),
  extensions: z
    .array(z.string().regex(/^\./, 'extensions start with a dot'))
    .default(['.wav', '.csv', '.json', '.cbor', '.png', '.jpg', '.jpeg'])
    .describe('File name suffixes to read (case-insensitive)'),
  exclude: z
    .array(z.string())
    .default([])
    .describe('Regular expressions over the path relative to directory; matching files are not read (e.g. "^files\\.csv$")'),
  labels: z
    .object({
      from: z
        .enum(['folder', 'filename', 'pattern', 'file', 'none'])
        .default('folder')
        .describe('folder: parent folder name; filename: text before the first "." (Edge Impulse); pattern: regex; file: labels file; none: unlabelled'),
      pattern: z.string().optional().describe('Regex over the relative path; its first capture group is the label (from: pattern)'),
      file: z.string().optional().describe('Labels file (CSV or JSON): file → label, or labelled segments file,label,start,end'),
      fileColumn: z.string().default('file'),
      labelColumn: z.string().default('label'),
      startColumn: z.string().default('start'),
      endColumn: z.string().default('end'),
      segmentUnit: z.enum(['frames', 'ms']).default('frames').describe('Unit of segment start/end'),
      segmentIndexBase: z.union([z.literal(0), z.literal(1)]).default(0).describe('1 when frame indices count from 1'),
      segmentEndInclusive: z.boolean().default(false).describe('true when "end" is the last frame of the segment'),
      segments: z
        .enum(['cut', 'annotate'])
        .default('cut')
        .describe('cut: one sample per labelled segment; annotate: keep the whole recording with meta.labelRanges (transform/window labels each window)'),
    })
    .prefault({}),
  split: z
    .object({
      from: z
        .enum(['auto', 'folder', 'hash'])
        .default('auto')
        .describe('auto: training/ and testing/ folders if present, else hash; folder: folders only (default train)'),
      testRatio: z.number().min(0).max(1).default(0.2),
      by: z
        .enum(['file', 'sample', 'group'])
        .default('file')
        .describe('Hash key: source file (segments of one file stay together), sample id, or group key from groupPattern'),
      groupPattern: z
        .string()
        .optional()
        .describe('Regex over the relative path; first capture group = group key (e.g. "([^_/]+)_nohash_" for the speaker)'),
      salt: z.string().default('').describe('Changes the hash split without changing the ratio'),
    })
    .prefault({}),
  audio: z
    .object({ scale: z.enum(['int16', 'unit']).default('int16').describe('int16: values like Edge Impulse (±32768); unit: ±1') })
    .prefault({}),
  csv: z
    .object({
      timestampColumn: z.string().nullable().optional().describe('Timestamp column; auto-detected by name when absent, null = none'),
      timeUnit: z.enum(['ms', 's']).default('ms'),
      intervalMs: z.number().positive().optional().describe('Frame interval when there is no timestamp column'),
      frequencyHz: z.number().positive().optional().describe('Alternative to intervalMs'),
      columns: z.array(z.string()).optional().describe('Axis columns to keep'),
      labelColumn: z.string().optional().describe('Column holding the label (rows are grouped by it)'),
      groupColumns: z.array(z.string()).optional().describe('Columns that split one file into several recordings'),
      units: z.string().default(''),
    })
    .prefault({}),
  image: z.object({ channels: z.enum(['rgb', 'grayscale']).default('rgb') }).prefault({}),
  signatures: z
    .object({
      keyEnv: z.string().default('TINYFORGE_HMAC_KEY').describe('Env var holding the HMAC key of signed documents'),
      keyFile: z.string().optional().describe('File holding the HMAC key (takes precedence over keyEnv)'),
      allowUnsigned: z.boolean().default(false).describe('Accept data-acquisition documents with alg "none"'),
    })
    .prefault({}),
  expectFrequencyHz: z
    .number()
    .positive()
    .optional()
    .describe('Every time series must have this sample rate (catches mixed-rate datasets file by file)'),
});

export type FilesParams = z.output<typeof filesParams>;
