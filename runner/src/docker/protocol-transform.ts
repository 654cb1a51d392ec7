import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  TinyforgeError,
  isSampleKind,
  type ArtifactKind,
  type ArtifactReader,
  type ArtifactWriter,
  type FileSetWriter,
  type JsonObject,
  type SampleSetReader,
  type SampleSetWriter,
} from '@tinyforge/sdk';
import { IN_DIR, OUT_DIR, type AnyContext, type ContainerRunner } from './contract.js';
import { listFiles, readEiDataset, writeEiDataset, type WrittenSample } from './ei-data.js';
import { grantWrite } from './run-container.js';

/**
 * Edge Impulse transformation-block contract: the input dataset laid out as EI's export
 * (`training/`, `testing/`, `info.labels`) under a read-only `--in-directory`, or one
 * `--in-file` per run; whatever the block writes to `--out-directory` is read back as the output
 * dataset (EI data-acquisition JSON) or, for a model/bundle output, kept as files.
 */
export async function runTransformProtocol(
  ctx: AnyContext,
  runner: ContainerRunner,
  dirs: { inDir: string; outDir: string; operatesOn: 'directory' | 'file' },
): Promise<void> {
  const inputs = Object.entries(ctx.inputs as Record<string, ArtifactReader>);
  const outputs = Object.entries(ctx.outputs as Record<string, ArtifactWriter>);
  if (inputs.length > 1 || outputs.length !== 1) throw new TinyforgeError({ code: 'PLUGIN', message: 'a transform container block has at most one input and exactly one output' });
  const input = inputs[0]?.[1];
  if (input && !('samples' in input)) throw new TinyforgeError({ code: 'PLUGIN', message: 'a transform container block reads a dataset or features artifact' });
  const written = input ? await writeEiDataset(input as SampleSetReader, dirs.inDir) : [];
  ctx.progress(0, dirs.operatesOn === 'file' ? written.length : 1);

  const [, writer] = outputs[0]!;
  const params = runner.paramArgs.args;
  if (!input || dirs.operatesOn === 'directory') {
    await runner.run([...(input ? ['--in-directory', IN_DIR] : []), '--out-directory', OUT_DIR, ...params], dirs);
    await collect(writer, dirs.outDir, ctx, input as SampleSetReader | undefined);
  } else {
    // One run per file, each with its own output folder (EI runs these in parallel; here in turn).
    for (const [n, file] of written.entries()) {
      const sub = String(n).padStart(6, '0');
      await mkdir(join(dirs.outDir, sub));
      await grantWrite(join(dirs.outDir, sub));
      await runner.run(['--in-file', `${IN_DIR}/${file.path}`, '--out-directory', `${OUT_DIR}/${sub}`, ...params], dirs);
      ctx.progress(n + 1, written.length);
    }
    await collect(writer, dirs.outDir, ctx, input as SampleSetReader, written);
  }
}

async function collect(writer: ArtifactWriter, outDir: string, ctx: AnyContext, input: SampleSetReader | undefined, perFile?: WrittenSample[]): Promise<void> {
  if (!isSampleKind(writer.kind as ArtifactKind)) {
    const files = await listFiles(outDir);
    if (files.length === 0) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: 'the container wrote nothing to --out-directory' });
    for (const name of files) await (writer as FileSetWriter).writeFile(name, await readFile(join(outDir, name)));
    return;
  }
  const out = writer as SampleSetWriter;
  const labels = new Set<string>();
  const folders = perFile ? perFile.map((f, n) => ({ dir: join(outDir, String(n).padStart(6, '0')), from: f })) : [{ dir: outDir, from: undefined }];
  for (const { dir, from } of folders) {
    for (const sample of await readEiDataset(dir, (m) => ctx.log.warn(m))) {
      if (from) {
        // Without an index, a per-file output is named after the input it came from.
        sample.id = sample.id === from.id || sample.id.startsWith(`${from.id}/`) ? sample.id : `${from.id}/${sample.id}`;
      }
      if (sample.label !== null) labels.add(sample.label);
      await out.add(sample);
    }
  }
  const meta: JsonObject = { ...(input?.meta ?? {}) };
  if ('labels' in meta || labels.size > 0) meta.labels = [...labels].sort();
  out.setMeta(meta);
}
