/**
 * Files of a new block package (`tinyforge blocks init`). The package is what an outsider
 * writes: TypeScript compiled by tsc, tests on node:test with @tinyforge/sdk/testing, the SDK
 * and zod as peer dependencies. `npm install && npm test` is all it needs.
 */

export type ScaffoldKind = 'dsp' | 'transform' | 'learn' | 'deploy';

export interface ScaffoldNames {
  /** npm package name, e.g. `tinyforge-block-denoise` or `@acme/tinyforge-block-denoise`. */
  packageName: string;
  /** Block id, e.g. `denoise` or `@acme/denoise`. */
  blockId: string;
  /** The short name given to `init`. */
  name: string;
  kind: ScaffoldKind;
  docker: boolean;
  sdkVersion: string;
}

const KIND_FACTS: Record<ScaffoldKind, { description: string; io: string }> = {
  transform: { description: 'Multiplies every value by a gain', io: 'dataset → dataset, per sample' },
  dsp: { description: 'Per-axis mean and RMS of each window, as features (with a C emitter for devices)', io: 'dataset → features, per sample' },
  learn: { description: 'Nearest-centroid classifier: the mean feature vector per label', io: 'features → model, whole artifact' },
  deploy: { description: 'Writes the model files as C arrays in a header', io: 'model → bundle, whole artifact' },
};

export function describeScaffold(n: ScaffoldNames): string {
  return n.docker ? 'Multiplies every value by a gain, in a container (Edge Impulse transformation block contract)' : KIND_FACTS[n.kind].description;
}

export function packageJson(n: ScaffoldNames): string {
  const pkg = {
    name: n.packageName,
    version: '1.0.0',
    description: `tinyforge block ${n.blockId}: ${describeScaffold(n)}`,
    type: 'module',
    license: 'Apache-2.0',
    keywords: ['tinyforge-block', 'tinyforge'],
    exports: { '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' } },
    files: n.docker ? ['dist/src', 'docker', 'README.md'] : ['dist/src', 'README.md'],
    tinyforge: {
      blocks: [{ id: n.blockId, version: '1.0.0', kind: n.docker ? 'transform' : n.kind, description: describeScaffold(n), module: './dist/src/index.js' }],
    },
    scripts: {
      build: 'tsc -p .',
      test: 'tsc -p . && node --test dist/test/',
      prepack: 'tsc -p .',
    },
    peerDependencies: { '@tinyforge/sdk': `>=${n.sdkVersion} <2`, zod: '^4.1.0' },
    devDependencies: { '@tinyforge/sdk': `^${n.sdkVersion}`, '@types/node': '^20.19.0', typescript: '~5.9.3', zod: '^4.1.0' },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "declaration": true,
    "skipLibCheck": true,
    "rootDir": ".",
    "outDir": "dist",
    "types": ["node"]
  },
  "include": ["src", "test"]
}
`;

export const GITIGNORE = 'node_modules/\ndist/\n*.tgz\n';

function registryAugmentation(n: ScaffoldNames, variable: string): string {
  return `
// Typed pipelines: with this package's types loaded, \`block: '${n.blockId}@1'\` gets its params checked by tsc.
declare module '@tinyforge/sdk' {
  interface BlockRegistry {
    '${n.blockId}@1': BlockParamsInput<typeof ${variable}>;
  }
}
`;
}

export function blockSource(n: ScaffoldNames): string {
  if (n.docker) return dockerBlockSource(n);
  switch (n.kind) {
    case 'transform':
      return `import { defineBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  gain: z.number().default(1).describe('Every value is multiplied by this'),
});

/** ${KIND_FACTS.transform.description} (${KIND_FACTS.transform.io}). */
const block = defineBlock({
  id: '${n.blockId}',
  version: '1.0.0', // bump on any change of output for the same input: it is part of the cache key
  apiVersion: 1,
  kind: 'transform',
  description: '${KIND_FACTS.transform.description}',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  // Pure: same sample + params → same output. Return a new sample; never mutate the input.
  runSample(sample, ctx) {
    const values = new Float32Array(sample.values.length);
    for (let i = 0; i < values.length; i++) values[i] = sample.values[i]! * ctx.params.gain;
    return { ...sample, values };
  },
});

export default block;
${registryAugmentation(n, 'block')}`;
    case 'dsp':
      return `import { defineBlock, type BlockParamsInput, type CEmission, type JsonObject } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  scale: z.number().positive().default(1).describe('Values are multiplied by this before the statistics'),
});

/** A C float literal that reads back as the same float32. */
function cFloat(x: number): string {
  let s = Math.fround(x).toPrecision(9);
  if (!/[.e]/.test(s)) s += '.0';
  return \`\${s}f\`;
}

/** Mean and RMS per axis of interleaved frames (values[t * axes + a]). */
export function axisStats(values: Float32Array, axes: number, scale: number): Float32Array {
  const frames = Math.floor(values.length / axes);
  const out = new Float32Array(axes * 2);
  for (let a = 0; a < axes; a++) {
    let sum = 0;
    let squares = 0;
    for (let t = 0; t < frames; t++) {
      const v = values[t * axes + a]! * scale;
      sum += v;
      squares += v * v;
    }
    out[a * 2] = frames > 0 ? sum / frames : 0;
    out[a * 2 + 1] = frames > 0 ? Math.sqrt(squares / frames) : 0;
  }
  return out;
}

/** ${KIND_FACTS.dsp.description} (${KIND_FACTS.dsp.io}). */
const block = defineBlock({
  id: '${n.blockId}',
  version: '1.0.0', // bump on any change of output for the same input: it is part of the cache key
  apiVersion: 1,
  kind: 'dsp',
  description: '${KIND_FACTS.dsp.description}',
  params,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  outputMeta(p, inputMeta): JsonObject {
    return { ...inputMeta, dsp: { block: '${n.blockId}', params: p } };
  },
  runSample(sample, ctx) {
    const axes = Math.max(1, sample.sensors.length);
    return { ...sample, values: axisStats(sample.values, axes, ctx.params.scale), shape: [axes, 2], intervalMs: 0 };
  },
  // The same computation as C99 for the device (used by deploy targets).
  emitC(p, input): CEmission {
    const prefix = '${cIdentifier(n.name)}';
    const P = prefix.toUpperCase();
    const header = \`#ifndef \${P}_H
#define \${P}_H
#define \${P}_INPUT_SIZE \${input.frames * input.axes}
#define \${P}_OUTPUT_SIZE \${input.axes * 2}
int \${prefix}_run(const float *in, float *out, float *scratch);
#endif
\`;
    const source = \`#include <math.h>
#include "\${prefix}.h"
int \${prefix}_run(const float *in, float *out, float *scratch) {
  (void)scratch;
  for (int a = 0; a < \${input.axes}; a++) {
    float sum = 0.0f, squares = 0.0f;
    for (int t = 0; t < \${input.frames}; t++) {
      float v = in[t * \${input.axes} + a] * \${cFloat(p.scale)};
      if (!isfinite(v)) return 1;
      sum += v;
      squares += v * v;
    }
    out[a * 2] = sum / \${input.frames}.0f;
    out[a * 2 + 1] = sqrtf(squares / \${input.frames}.0f);
  }
  return 0;
}
\`;
    return { prefix, header, sources: { [\`\${prefix}.c\`]: source }, inputSize: input.frames * input.axes, outputSize: input.axes * 2, ramBytes: 0, entry: \`\${prefix}_run\` };
  },
});

export default block;
${registryAugmentation(n, 'block')}`;
    case 'learn':
      return `import { defineBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  minSamplesPerLabel: z.number().int().min(1).default(1).describe('Fail when a label has fewer training samples'),
});

/** ${KIND_FACTS.learn.description} (${KIND_FACTS.learn.io}). */
const block = defineBlock({
  id: '${n.blockId}',
  version: '1.0.0', // bump on any change of output for the same input: it is part of the cache key
  apiVersion: 1,
  kind: 'learn',
  description: '${KIND_FACTS.learn.description}',
  params,
  inputs: { features: 'features' },
  outputs: { model: 'model' },
  granularity: 'whole',
  async run(ctx) {
    const sums = new Map<string, { sum: Float64Array; count: number }>();
    for await (const sample of ctx.inputs.features) {
      if (sample.category !== 'train' || sample.label === null) continue;
      let entry = sums.get(sample.label);
      if (!entry) sums.set(sample.label, (entry = { sum: new Float64Array(sample.values.length), count: 0 }));
      if (entry.sum.length !== sample.values.length) throw new Error(\`sample \${sample.id} has \${sample.values.length} features, expected \${entry.sum.length}\`);
      for (let i = 0; i < sample.values.length; i++) entry.sum[i]! += sample.values[i]!;
      entry.count++;
    }
    const labels = [...sums.keys()].sort();
    const centroids: Record<string, number[]> = {};
    for (const label of labels) {
      const { sum, count } = sums.get(label)!;
      if (count < ctx.params.minSamplesPerLabel) throw new Error(\`label \${label} has \${count} training samples, fewer than \${ctx.params.minSamplesPerLabel}\`);
      centroids[label] = Array.from(sum, (v) => v / count);
    }
    ctx.log.info(\`\${labels.length} labels\`);
    await ctx.outputs.model.writeJson('centroids.json', centroids);
    ctx.outputs.model.setMeta({ labels, type: 'nearest-centroid' });
  },
});

export default block;
${registryAugmentation(n, 'block')}`;
    case 'deploy':
      return `import { defineBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  symbol: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('model_data').describe('C identifier prefix of the arrays'),
});

/** The bytes as a C array, 12 a line. */
export function cArray(name: string, bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 12) lines.push('  ' + Array.from(bytes.subarray(i, i + 12), (b) => '0x' + b.toString(16).padStart(2, '0')).join(', ') + ',');
  return \`const unsigned char \${name}[\${bytes.length}] = {\\n\${lines.join('\\n')}\\n};\\nconst unsigned int \${name}_len = \${bytes.length};\\n\`;
}

/** ${KIND_FACTS.deploy.description} (${KIND_FACTS.deploy.io}). */
const block = defineBlock({
  id: '${n.blockId}',
  version: '1.0.0', // bump on any change of output for the same input: it is part of the cache key
  apiVersion: 1,
  kind: 'deploy',
  description: '${KIND_FACTS.deploy.description}',
  params,
  inputs: { model: 'model' },
  outputs: { bundle: 'bundle' },
  granularity: 'whole',
  async run(ctx) {
    let header = '#pragma once\\n';
    for (const file of ctx.inputs.model.files) {
      const name = \`\${ctx.params.symbol}_\${file.name.replace(/[^A-Za-z0-9_]/g, '_')}\`;
      header += cArray(name, await ctx.inputs.model.readFile(file.name));
    }
    await ctx.outputs.bundle.writeFile(\`\${ctx.params.symbol}.h\`, header);
    ctx.outputs.bundle.setMeta({ files: ctx.inputs.model.files.length });
  },
});

export default block;
${registryAugmentation(n, 'block')}`;
  }
}

function dockerBlockSource(n: ScaffoldNames): string {
  return `import { fileURLToPath } from 'node:url';
import { defineContainerBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  gain: z.number().default(1).describe('Every value is multiplied by this'),
});

/**
 * ${describeScaffold(n)}. The runner builds ../../docker/Dockerfile on first use (the image ID
 * enters the cache key), mounts the input read-only and passes params as --<name> <value>.
 */
const block = defineContainerBlock({
  id: '${n.blockId}',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: '${describeScaffold(n)}',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  runtime: {
    // dist/src/index.js → the package's docker/ folder
    context: fileURLToPath(new URL('../../docker/', import.meta.url)),
    dockerfile: 'Dockerfile',
    protocol: 'edge-impulse-transform',
    operatesOn: 'directory',
    limits: { timeoutSec: 600, memoryMb: 1024 },
  },
});

export default block;
${registryAugmentation(n, 'block')}`;
}

export function blockTest(n: ScaffoldNames): string {
  if (n.docker) return dockerTest(n);
  const header = `import assert from 'node:assert/strict';
import { test } from 'node:test';
`;
  switch (n.kind) {
    case 'transform':
      return `${header}import { assertClose, makeSample, runSampleBlock } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

test('multiplies every value by the gain', async () => {
  const input = makeSample({ id: 'a.csv#0', values: [1, -2, 3.5, 0] });
  const { samples } = await runSampleBlock(block, [input], { gain: 2 });
  assert.equal(samples.length, 1);
  assert.equal(samples[0]!.id, 'a.csv#0');
  assertClose(samples[0]!.values, [2, -4, 7, 0]);
});

test('the default gain leaves values as they are', async () => {
  const { samples, params } = await runSampleBlock(block, [makeSample({ values: [0.25, 4] })]);
  assert.equal(params.gain, 1);
  assertClose(samples[0]!.values, [0.25, 4]);
});

test('bad params are refused by the schema', async () => {
  await assert.rejects(runSampleBlock(block, [makeSample({ values: [1] })], { gain: 'two' }), /gain/);
  await assert.rejects(runSampleBlock(block, [makeSample({ values: [1] })], { gian: 2 }), /has no param "gian"/);
});
`;
    case 'dsp':
      return `${header}import { assertClose, makeSample, runSampleBlock } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

const sensors = [{ name: 'x', units: 'g' }, { name: 'y', units: 'g' }];

test('mean and RMS per axis of interleaved frames', async () => {
  // frames (x, y): (1, 0), (3, -4), (-1, 4), (1, 0)
  const input = makeSample({ values: [1, 0, 3, -4, -1, 4, 1, 0], sensors });
  const { samples, meta } = await runSampleBlock(block, [input], {}, { inputMeta: { frequency: 100 } });
  assert.deepEqual(samples[0]!.shape, [2, 2]);
  assertClose(samples[0]!.values, [1, Math.sqrt(3), 0, Math.sqrt(8)]);
  assert.equal((meta.dsp as { block: string }).block, '${n.blockId}');
});

test('scale multiplies before the statistics', async () => {
  const { samples } = await runSampleBlock(block, [makeSample({ values: [2, 2, 2, 2], sensors: [sensors[0]!] })], { scale: 0.5 });
  assertClose(samples[0]!.values, [1, 1]);
});

test('emitC declares the sizes the device buffers need', () => {
  const emission = block.emitC!({ scale: 1 }, { frames: 50, axes: 3 });
  assert.equal(emission.inputSize, 150);
  assert.equal(emission.outputSize, 6);
  assert.match(emission.header, /_OUTPUT_SIZE 6/);
});
`;
    case 'learn':
      return `${header}import { makeSample, memorySampleSet, runWholeBlock } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

test('centroids are the mean training feature vector per label; test samples are ignored', async () => {
  const features = memorySampleSet(
    [
      makeSample({ id: 'a1', label: 'a', values: [1, 2] }),
      makeSample({ id: 'a2', label: 'a', values: [3, 4] }),
      makeSample({ id: 'b1', label: 'b', values: [-1, 0] }),
      makeSample({ id: 'b2', label: 'b', values: [100, 100], category: 'test' }),
    ],
    {},
    'features',
  );
  const { outputs, logs } = await runWholeBlock(block, { features }, {});
  const centroids = JSON.parse(outputs.model.files.get('centroids.json')!.toString('utf8'));
  assert.deepEqual(centroids, { a: [2, 3], b: [-1, 0] });
  assert.deepEqual(outputs.model.meta.labels, ['a', 'b']);
  assert.ok(logs.some((l) => l.message === '2 labels'));
});

test('a label with too few samples fails', async () => {
  const features = memorySampleSet([makeSample({ id: 'a1', label: 'a', values: [1] })], {}, 'features');
  await assert.rejects(runWholeBlock(block, { features }, { minSamplesPerLabel: 2 }), /fewer than 2/);
});
`;
    case 'deploy':
      return `${header}import { memoryFileSet, runWholeBlock } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

test('every model file becomes a C array with its length', async () => {
  const model = memoryFileSet({ 'model.bin': new Uint8Array([0, 1, 254, 255]) });
  const { outputs } = await runWholeBlock(block, { model }, { symbol: 'kws' });
  const header = outputs.bundle.files.get('kws.h')!.toString('utf8');
  assert.match(header, /const unsigned char kws_model_bin\\[4\\] = \\{\\n  0x00, 0x01, 0xfe, 0xff,\\n\\};/);
  assert.match(header, /kws_model_bin_len = 4;/);
});

test('a symbol that is not a C identifier is refused', async () => {
  await assert.rejects(runWholeBlock(block, { model: memoryFileSet({}) }, { symbol: '1x' }), /symbol/);
});
`;
  }
}

function dockerTest(n: ScaffoldNames): string {
  return `import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseBlockParams } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

const dockerDir = fileURLToPath(new URL('../../docker/', import.meta.url));

test('the declaration points at a Dockerfile and parses params', () => {
  assert.ok(block.runtime && existsSync(join(block.runtime.context!, 'Dockerfile')));
  assert.equal(parseBlockParams(block, {}).gain, 1);
  assert.throws(() => parseBlockParams(block, { gain: 'x' }), /gain/);
});

// The container's script runs under plain node too: test its logic without Docker.
test('the container script scales every sample of the input directory', () => {
  const dir = mkdtempSync(join(tmpdir(), '${n.name}-test-'));
  try {
    const inDir = join(dir, 'in');
    const outDir = join(dir, 'out');
    mkdirSync(inDir);
    mkdirSync(outDir);
    const doc = { protected: { ver: 'v1', alg: 'none' }, signature: '0', payload: { interval_ms: 10, sensors: [{ name: 'x', units: 'g' }], values: [[1], [2.5], [-3]] } };
    writeFileSync(join(inDir, 'a.json'), JSON.stringify(doc));
    writeFileSync(join(inDir, 'info.labels'), JSON.stringify({ version: 1, files: [{ path: 'a.json', category: 'training', label: { type: 'label', label: 'idle' } }] }));
    execFileSync(process.execPath, [join(dockerDir, 'transform.mjs'), '--in-directory', inDir, '--out-directory', outDir, '--gain', '2']);
    const out = JSON.parse(readFileSync(join(outDir, 'a.json'), 'utf8'));
    assert.deepEqual(out.payload.values, [[2], [5], [-6]]);
    assert.ok(existsSync(join(outDir, 'info.labels')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
`;
}

export const DOCKERFILE = `FROM node:20-slim
WORKDIR /app
COPY transform.mjs /app/transform.mjs
ENTRYPOINT ["node", "/app/transform.mjs"]
`;

export const DOCKER_SCRIPT = `// Edge Impulse transformation block, directory mode: reads info.labels and the sample JSON
// files from --in-directory, writes the transformed ones to --out-directory.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const args = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const key = argv[i].replace(/^--/, '');
  if (argv[i + 1] === undefined || argv[i + 1].startsWith('--')) args[key] = true;
  else args[key] = argv[++i];
}
const inDir = args['in-directory'];
const outDir = args['out-directory'];
const gain = Number(args.gain ?? 1);
if (!inDir || !outDir || !Number.isFinite(gain)) {
  console.error('usage: transform.mjs --in-directory <dir> --out-directory <dir> [--gain <number>]');
  process.exit(2);
}

const index = JSON.parse(readFileSync(join(inDir, 'info.labels'), 'utf8'));
for (const f of index.files) {
  const doc = JSON.parse(readFileSync(join(inDir, f.path), 'utf8'));
  doc.payload.values = doc.payload.values.map((row) => (Array.isArray(row) ? row.map((v) => v * gain) : row * gain));
  mkdirSync(dirname(join(outDir, f.path)), { recursive: true });
  writeFileSync(join(outDir, f.path), JSON.stringify(doc));
}
copyFileSync(join(inDir, 'info.labels'), join(outDir, 'info.labels'));
console.log(\`scaled \${index.files.length} samples by \${gain}\`);
`;

export function readme(n: ScaffoldNames): string {
  const ref = `${n.blockId}@1`;
  return `# ${n.packageName}

A [tinyforge](https://github.com/tinyforge/tinyforge) block: **${n.blockId}** — ${describeScaffold(n)}.

## Use it

\`\`\`sh
npm install ${n.packageName}
npx tinyforge blocks list      # shows ${n.blockId}@1.0.0 from ${n.packageName}
\`\`\`

\`\`\`ts
/// <reference types="${n.packageName}" />
import { definePipeline } from '@tinyforge/sdk';

export default definePipeline({
  name: 'example',
  blocks: {
    // ...
    ${cIdentifier(n.name)}: { block: '${ref}', params: {}, inputs: { ${n.docker || n.kind === 'transform' || n.kind === 'dsp' ? 'samples' : n.kind === 'learn' ? 'features' : 'model'}: '<upstream block>' } },
  },
});
\`\`\`

The \`/// <reference types>\` line makes \`tsc\` and your editor check the params of \`'${ref}'\`.

## Develop

\`\`\`sh
npm install
npm test        # tsc, then node --test on dist/test
npm pack        # the tarball users install (prepack builds)
\`\`\`

- \`src/index.ts\`: the block. Change \`version\` whenever its output for the same input changes
  (it is part of tinyforge's cache key). \`apiVersion\` is the block API it was written for.
- \`package.json\` → \`tinyforge.blocks\` lists the block (id, version, kind, module) so tinyforge can
  list it without importing your code; keep it in step with \`src/index.ts\`.
- \`test/\`: tests with \`@tinyforge/sdk/testing\` (\`runSampleBlock\`, \`runWholeBlock\`, in-memory
  artifacts): no pipeline and no cache needed.
${n.docker ? '- `docker/`: the container. The runner builds it on first use; the test runs its script with plain node.\n' : ''}`;
}

export function cIdentifier(name: string): string {
  const id = name.replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `b_${id}`;
}
