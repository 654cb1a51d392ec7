import type { BlockContext, IoSpec, ParamsSchema } from '@tinyforge/sdk';

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
