import { TinyforgeError, type ArtifactKind, type ArtifactReader, type ArtifactWriter, type BlockContext, type IoSpec, type ParamsSchema, type SampleSetReader } from '@tinyforge/sdk';

/** Paths inside the container. EI mounts its own data over /home and /data, so blocks avoid both as WORKDIR. */
export const IN_DIR = '/data/in';
export const OUT_DIR = '/data/out';

/** What a protocol (the layout of inputs and outputs) gets to do its container runs. */
export interface ContainerRunner {
  /** Runs the image with these args; `inDir` is mounted read-only at IN_DIR, `outDir` at OUT_DIR. */
  run(args: string[], dirs: { inDir: string; outDir: string }): Promise<void>;
  /** Arguments and environment made from the params. */
  paramArgs: { args: string[]; env: Record<string, string> };
}

/** The context a container block's run() gets, whatever its params and io. */
export type AnyContext = BlockContext<ParamsSchema, IoSpec, IoSpec>;

/**
 * The one sample-set input and the one output of `kind` a protocol works on, or a PLUGIN error
 * saying what `block` (a DSP / learning container block) must read and write.
 */
export function sampleSetToOne<W extends ArtifactWriter>(ctx: AnyContext, kind: ArtifactKind, block: string): { input: SampleSetReader; output: W } {
  const inputs = Object.values(ctx.inputs as Record<string, ArtifactReader>);
  const outputs = Object.values(ctx.outputs as Record<string, ArtifactWriter>);
  const input = inputs[0];
  const output = outputs[0];
  if (inputs.length !== 1 || !input || !('samples' in input) || outputs.length !== 1 || !output || output.kind !== kind) {
    throw new TinyforgeError({ code: 'PLUGIN', message: `a ${block} reads one dataset (or features) input and writes one ${kind} output` });
  }
  return { input, output: output as W };
}
