/**
 * Artifacts are typed, immutable and content-addressed. Blocks only ever see them through the
 * readers and writers below; where and how they are stored is the runner's business.
 */
export type ArtifactKind = 'dataset' | 'features' | 'model' | 'bundle';

/** Artifact kinds made of samples (stored one blob per sample). */
export type SampleArtifactKind = 'dataset' | 'features';
/** Artifact kinds made of named files (a small tree). */
export type FileArtifactKind = 'model' | 'bundle';

export const ARTIFACT_KINDS: readonly ArtifactKind[] = ['dataset', 'features', 'model', 'bundle'];

export function isSampleKind(kind: ArtifactKind): kind is SampleArtifactKind {
  return kind === 'dataset' || kind === 'features';
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Category = 'train' | 'test';

export interface SensorInfo {
  name: string;
  units: string;
}

/**
 * One sample: a labelled, time-stamped signal (dataset) or a feature vector (features).
 * `values` is interleaved frame by frame: `[t0.ax0, t0.ax1, …, t1.ax0, …]`.
 */
export interface Sample {
  /** Stable id, unique in its artifact (e.g. `yes/0a7c2a8d_nohash_0.wav#0`). */
  id: string;
  /** Class label; `null` for unlabelled samples (anomaly, unsupervised). */
  label: string | null;
  category: Category;
  sensors: SensorInfo[];
  /** Time between two frames in ms (0 when it has no meaning, e.g. images or features). */
  intervalMs: number;
  values: Float32Array;
  /** Logical shape of `values`, e.g. `[frames, axes]` or `[frames, coefficients]`. */
  shape?: number[];
  /** Small extra facts: source file, group key for splits, window offset. Must be JSON. */
  meta?: JsonObject;
}

/** What a sample artifact's manifest says about one sample, without loading its values. */
export interface SampleRef {
  id: string;
  label: string | null;
  category: Category;
  /** sha256 of the stored sample blob. */
  digest: string;
}

/** Read access to a dataset or features artifact. */
export interface SampleSetReader {
  readonly kind: SampleArtifactKind;
  /** Content digest of the artifact manifest. */
  readonly digest: string;
  readonly samples: readonly SampleRef[];
  /** Artifact-level facts, e.g. `{ shape, dsp }` for features, `{ labels }` for datasets. */
  readonly meta: JsonObject;
  read(ref: SampleRef): Promise<Sample>;
  /** Iterates every sample in manifest order. */
  [Symbol.asyncIterator](): AsyncIterator<Sample>;
}

/** Read access to a model or bundle artifact: a small tree of named files. */
export interface FileSetReader {
  readonly kind: FileArtifactKind;
  readonly digest: string;
  readonly files: readonly { name: string; digest: string; size: number }[];
  readonly meta: JsonObject;
  readFile(name: string): Promise<Buffer>;
  readJson<T = JsonValue>(name: string): Promise<T>;
}

export type ArtifactReader = SampleSetReader | FileSetReader;

export interface SampleSetWriter {
  readonly kind: SampleArtifactKind;
  add(sample: Sample): Promise<void>;
  setMeta(meta: JsonObject): void;
}

export interface FileSetWriter {
  readonly kind: FileArtifactKind;
  writeFile(name: string, data: Uint8Array | string): Promise<void>;
  writeJson(name: string, value: JsonValue): Promise<void>;
  setMeta(meta: JsonObject): void;
}

export type ArtifactWriter = SampleSetWriter | FileSetWriter;

/** Maps an artifact kind to its reader/writer type, so `ctx.inputs.samples` is typed. */
export interface ReaderOf {
  dataset: SampleSetReader;
  features: SampleSetReader;
  model: FileSetReader;
  bundle: FileSetReader;
}
export interface WriterOf {
  dataset: SampleSetWriter;
  features: SampleSetWriter;
  model: FileSetWriter;
  bundle: FileSetWriter;
}
