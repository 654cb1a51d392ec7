import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSetReader, JsonObject, JsonValue, SampleSetReader } from '@tinyforge/sdk';
import type { Plan } from '../plan/plan-pipeline.js';
import { findStateRoot, openStore, type Store } from '../store/open-store.js';
import { readBlockState } from '../exec/run-state.js';
import { readLastRun } from '../exec/last-run.js';
import type { RunManifest } from '../exec/run-pipeline.js';
import { principalComponents } from './pca.js';

export interface DatasetSection {
  block: string;
  rows: { label: string; train: number; test: number }[];
}
export interface TrainingSection {
  block: string;
  labels: string[];
  curves: { epoch: number; loss: number; acc: number; val_loss?: number; val_acc?: number }[];
  metrics: JsonObject;
}
export interface FeatureSection {
  block: string;
  shape: number[];
  explained: number[];
  points: { x: number; y: number; label: string; category: string }[];
}
export interface FileSection {
  block: string;
  file: string;
  content: JsonValue;
}

/** Everything the HTML report shows, as plain data (also written beside it as report.json). */
export interface ReportData {
  pipeline: { name: string; version: string | null; file: string; generatedAt: string };
  lastRun: Pick<RunManifest, 'startedAt' | 'ms' | 'ok' | 'git' | 'blocks'> | null;
  datasets: DatasetSection[];
  training: TrainingSection[];
  features: FeatureSection[];
  estimates: FileSection[];
  tests: JsonValue | null;
  tune: FileSection[];
  missing: string[];
}

const MAX_POINTS = 1500;

/** Reads the last run's artifacts of every block of a planned pipeline. Touches nothing. */
export async function collectReport(plan: Plan): Promise<ReportData> {
  const store = await openStore(findStateRoot(plan.pipeline.dir), process.env, { remote: true, projectDir: plan.pipeline.dir });
  const name = plan.pipeline.config.name;
  const data: ReportData = {
    pipeline: { name, version: plan.pipeline.config.version ?? null, file: plan.pipeline.file, generatedAt: new Date().toISOString() },
    lastRun: await lastRunManifest(store, name),
    datasets: [],
    training: [],
    features: [],
    estimates: [],
    tests: await readJsonFile(join(store.layout.root, 'test-results', `${name}.json`)),
    tune: [],
    missing: [],
  };
  const outputsOf = new Map<string, Record<string, string>>();
  for (const block of plan.blocks) {
    const state = await readBlockState(store.layout.stateDir, name, block.name);
    if (!state) {
      data.missing.push(block.name);
      continue;
    }
    outputsOf.set(block.name, state.outputs);
    for (const [output, digest] of Object.entries(state.outputs)) {
      let reader: SampleSetReader | FileSetReader;
      try {
        reader = await store.artifacts.reader(digest);
      } catch {
        data.missing.push(`${block.name}.${output}`);
        continue;
      }
      if (reader.kind === 'dataset' && block.block.kind === 'ingest') data.datasets.push(datasetSection(block.name, reader as SampleSetReader));
      if (reader.kind === 'model' || reader.kind === 'bundle') await fileSections(block.name, reader as FileSetReader, data);
    }
  }
  // Deployments of the last run: their bundles' on-device estimates.
  for (const b of data.lastRun?.blocks ?? []) {
    const bundle = b.outputs['bundle'];
    if (!bundle) continue;
    try {
      const reader = (await store.artifacts.reader(bundle)) as FileSetReader;
      for (const file of reader.files.filter((f) => f.name.endsWith('estimate.json'))) data.estimates.push({ block: b.name, file: file.name, content: await reader.readJson(file.name) });
    } catch {
      data.missing.push(b.name);
    }
  }
  // The feature explorer shows what each learn block was trained on.
  for (const block of plan.blocks.filter((b) => b.block.kind === 'learn')) {
    for (const input of Object.values(block.inputs).filter((i) => i.kind === 'features')) {
      const digest = outputsOf.get(input.from)?.[input.output];
      if (!digest) continue;
      const reader = (await store.artifacts.reader(digest)) as SampleSetReader;
      data.features.push(await featureSection(input.from, reader, store));
    }
  }
  return data;
}

function datasetSection(block: string, reader: SampleSetReader): DatasetSection {
  const rows = new Map<string, { label: string; train: number; test: number }>();
  for (const s of reader.samples) {
    const label = s.label ?? '(unlabelled)';
    const row = rows.get(label) ?? { label, train: 0, test: 0 };
    row[s.category]++;
    rows.set(label, row);
  }
  return { block, rows: [...rows.values()].sort((a, b) => a.label.localeCompare(b.label)) };
}

async function fileSections(block: string, reader: FileSetReader, data: ReportData): Promise<void> {
  const names = new Set(reader.files.map((f) => f.name));
  if (names.has('metrics.json')) {
    const metrics = await reader.readJson<JsonObject>('metrics.json');
    const curves = names.has('curves.json') ? await reader.readJson<{ epochs?: TrainingSection['curves'] }>('curves.json') : {};
    data.training.push({ block, labels: (metrics.labels as string[] | undefined) ?? [], curves: curves.epochs ?? [], metrics });
  }
  for (const file of reader.files.filter((f) => f.name.endsWith('estimate.json'))) data.estimates.push({ block, file: file.name, content: await reader.readJson(file.name) });
  for (const file of reader.files.filter((f) => f.name.endsWith('leaderboard.json'))) data.tune.push({ block, file: file.name, content: await reader.readJson(file.name) });
}

async function featureSection(block: string, reader: SampleSetReader, store: Store): Promise<FeatureSection> {
  const step = Math.max(1, Math.ceil(reader.samples.length / MAX_POINTS));
  const chosen = reader.samples.filter((_, i) => i % step === 0);
  const samples = await Promise.all(chosen.map((ref) => store.artifacts.readSample(ref)));
  const { projection, explained } = principalComponents(samples.map((s) => s.values));
  return {
    block,
    shape: samples[0]?.shape ?? [samples[0]?.values.length ?? 0],
    explained,
    points: samples.map((s, i) => ({ x: projection[i]![0] ?? 0, y: projection[i]![1] ?? 0, label: s.label ?? '(unlabelled)', category: s.category })),
  };
}

async function lastRunManifest(store: Store, pipeline: string): Promise<ReportData['lastRun']> {
  const manifest = await readLastRun(store.layout.runsDir, pipeline);
  return manifest ? { startedAt: manifest.startedAt, ms: manifest.ms, ok: manifest.ok, git: manifest.git, blocks: manifest.blocks } : null;
}

async function readJsonFile(path: string): Promise<JsonValue | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as JsonValue;
  } catch {
    return null;
  }
}
