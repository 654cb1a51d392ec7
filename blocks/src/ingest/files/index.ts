import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { badInput, defineBlock, type ParamProblem, type SourceFile } from '@tinyforge/sdk';
import { parseLabelsFile, type LabelsTable } from '../labels.js';
import type { SignaturePolicy } from '../signature.js';
import { samplesFromFile } from './files.js';
import { filesParams, type FilesParams } from './params.js';

/** Built once per worker, filled on first use (prepare() gets no pipelineDir to resolve paths). */
interface FilesState {
  labels?: { path: string; table: LabelsTable };
  signature?: SignaturePolicy;
}

function loadLabels(state: FilesState, labelsPath: string, root: string, params: FilesParams): LabelsTable {
  if (state.labels?.path === labelsPath) return state.labels.table;
  let bytes: Buffer;
  try {
    bytes = readFileSync(labelsPath);
  } catch {
    throw badInput(labelsPath, 'cannot read the labels file');
  }
  const table = parseLabelsFile(bytes, labelsPath, params.labels);
  for (const relPath of table.keys()) {
    if (!existsSync(join(root, relPath))) {
      throw badInput(labelsPath, `names a file that does not exist: ${relPath}`, { hint: `paths are relative to ${params.directory}` });
    }
  }
  state.labels = { path: labelsPath, table };
  return table;
}

function loadSignaturePolicy(state: FilesState, params: FilesParams, pipelineDir: string): SignaturePolicy {
  if (state.signature) return state.signature;
  const { keyFile, keyEnv, allowUnsigned } = params.signatures;
  let key: string | undefined;
  let keySource = `env ${keyEnv}`;
  if (keyFile) {
    const path = resolve(pipelineDir, keyFile);
    keySource = `key file ${keyFile}`;
    try {
      key = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw badInput(path, 'cannot read the HMAC key file');
    }
  } else {
    key = process.env[keyEnv];
  }
  state.signature = { key, keySource, allowUnsigned };
  return state.signature;
}

function isDocument(relPath: string): boolean {
  return /\.(json|cbor)$/i.test(relPath);
}

export default defineBlock({
  id: 'ingest/files',
  version: '1.1.0',
  apiVersion: 1,
  kind: 'ingest',
  description: 'Reads a folder of WAV, CSV, Edge Impulse JSON/CBOR and PNG/JPEG files into a labelled, split dataset',
  params: filesParams,
  inputs: {},
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  locationParams: ['directory'],
  checkParams(params: FilesParams): ParamProblem[] {
    const problems: ParamProblem[] = [];
    const regex = (path: string, source: string | undefined) => {
      if (source === undefined) return;
      try { new RegExp(source); } catch (err) { problems.push({ path, message: `not a valid regex: ${(err as Error).message}` }); }
    };
    regex('labels.pattern', params.labels.pattern);
    regex('split.groupPattern', params.split.groupPattern);
    params.exclude.forEach((e, i) => regex(`exclude[${i}]`, e));
    if (params.labels.from === 'pattern' && !params.labels.pattern) problems.push({ path: 'labels.pattern', message: 'labels.from "pattern" needs labels.pattern' });
    if (params.labels.from === 'file' && !params.labels.file) problems.push({ path: 'labels.file', message: 'labels.from "file" needs labels.file' });
    if (params.split.by === 'group' && !params.split.groupPattern) problems.push({ path: 'split.groupPattern', message: 'split.by "group" needs split.groupPattern' });
    if (params.csv.intervalMs !== undefined && params.csv.frequencyHz !== undefined) problems.push({ path: 'csv.frequencyHz', message: 'give csv.intervalMs or csv.frequencyHz, not both' });
    return problems;
  },
  sources: (params: FilesParams) => ({
    root: params.directory,
    extensions: params.extensions.map((e) => e.toLowerCase()),
    exclude: params.exclude,
    sharedFiles: params.labels.file ? [params.labels.file] : [],
  }),
  prepare: (): FilesState => ({}),
  readSource(file: SourceFile, content: Buffer, ctx) {
    const { params, pipelineDir } = ctx;
    const root = resolve(pipelineDir, params.directory);
    const labelsPath = params.labels.file ? resolve(pipelineDir, params.labels.file) : undefined;
    if (labelsPath && resolve(file.path) === labelsPath) return []; // the labels file may live in the data folder
    const labels = labelsPath ? loadLabels(ctx.state, labelsPath, root, params) : undefined;
    const signature: SignaturePolicy = isDocument(file.relPath)
      ? loadSignaturePolicy(ctx.state, params, pipelineDir)
      : { allowUnsigned: false };
    return samplesFromFile(file.relPath, content, params, { labels, signature });
  },
});
