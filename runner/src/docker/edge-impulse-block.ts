import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { BLOCK_API_VERSION, TinyforgeError, type AnyBlock, type BlockKind, type ContainerRuntime, type IoSpec, type WholeBlock } from '@tinyforge/sdk';
import { runnableContainerBlock, type DspServerInfo } from './container-block.js';
import { paramArgs, paramsSchema, parseParametersFile, type EiParametersFile } from './ei-parameters.js';

/** How each Edge Impulse block type maps onto a tinyforge block (the kind picks the protocol). */
const TYPES: Partial<Record<EiParametersFile['type'], { kind: BlockKind; inputs: IoSpec; outputs: IoSpec }>> = {
  transform: { kind: 'transform', inputs: { samples: 'dataset' }, outputs: { samples: 'dataset' } },
  'machine-learning': { kind: 'learn', inputs: { features: 'features' }, outputs: { model: 'model' } },
  dsp: { kind: 'dsp', inputs: { samples: 'dataset' }, outputs: { features: 'features' } },
};

export interface EdgeImpulseBlockInfo {
  dir: string;
  file: EiParametersFile;
  id: string;
  title: string;
}

/** Reads an Edge Impulse custom block folder's parameters.json. */
export async function readEdgeImpulseBlock(dir: string): Promise<EdgeImpulseBlockInfo> {
  const abs = resolve(dir);
  const path = join(abs, 'parameters.json');
  if (!existsSync(path)) throw new TinyforgeError({ code: 'PLUGIN', file: abs, message: 'no parameters.json in this folder' });
  const file = parseParametersFile(await readFile(path, 'utf8'), path);
  const slug = basename(abs).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'block';
  return { dir: abs, file, id: `ei/${slug}`, title: file.info.name ?? file.info.title ?? basename(abs) };
}

/**
 * An Edge Impulse custom block folder (parameters.json + Dockerfile) as a tinyforge block. Its
 * params become a zod schema; its Dockerfile is built on first use and the image ID enters the
 * action key (the block's version stays 1.0.0: EI blocks carry none; the image is the version).
 * DSP blocks are cached per sample (see WholeBlock.perSample).
 */
export async function loadEdgeImpulseBlock(dir: string): Promise<AnyBlock> {
  const info = await readEdgeImpulseBlock(dir);
  const { file } = info;
  const mapping = TYPES[file.type];
  if (!mapping) {
    throw new TinyforgeError({
      code: 'PLUGIN',
      file: join(info.dir, 'parameters.json'),
      message: `Edge Impulse "${file.type}" blocks are not supported yet (supported: ${Object.keys(TYPES).join(', ')})`,
    });
  }
  if (!existsSync(join(info.dir, 'Dockerfile'))) throw new TinyforgeError({ code: 'PLUGIN', file: info.dir, message: 'an Edge Impulse block folder needs a Dockerfile next to parameters.json' });
  const operatesOn = file.info.operatesOn === 'file' ? 'file' : 'directory';
  const declared = {
    id: info.id,
    version: '1.0.0',
    apiVersion: BLOCK_API_VERSION,
    kind: mapping.kind,
    description: file.info.description ?? info.title,
    params: paramsSchema(file),
    inputs: file.type === 'transform' && file.info.operatesOn === 'standalone' ? {} : mapping.inputs,
    outputs: mapping.outputs,
    granularity: 'whole' as const,
    // A DSP block's features depend on its sample alone, unless it carries state between
    // batches (`usesState`): then every run needs every sample.
    perSample: file.type === 'dsp' && (file.info as { usesState?: unknown }).usesState !== true,
    runtime: { context: info.dir, dockerfile: 'Dockerfile', ...(file.type === 'dsp' ? {} : { operatesOn }) },
    run: async () => {},
  } satisfies WholeBlock & { runtime: ContainerRuntime };
  return runnableContainerBlock(declared, { argsOf: (params) => paramArgs(file, params), ...(file.type === 'dsp' ? { dsp: dspServerInfo(file) } : {}) });
}

/** DSP `info` fields (EI DSPInfo): `port` (default 4446), `latestImplementationVersion`, `axes[]`. */
function dspServerInfo(file: EiParametersFile): DspServerInfo {
  const { port, latestImplementationVersion, axes } = file.info as { port?: unknown; latestImplementationVersion?: unknown; axes?: unknown };
  const out: DspServerInfo = {};
  if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) out.port = port;
  if (typeof latestImplementationVersion === 'number') out.implementationVersion = latestImplementationVersion;
  if (Array.isArray(axes)) out.namedAxes = axes.map((a) => String((a as { name?: unknown })?.name ?? a));
  return out;
}
