import { z } from 'zod';
import type { AnyBlock } from '@tinyforge/sdk';

/** `dsp/mfcc@1`, `@acme/dsp-wavelet@2`: a block id and the major version the pipeline pins. */
export const BLOCK_REF_PATTERN = /^((?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)*)@(\d+)$/;
export const BLOCK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
const INPUT_REF_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_]*)?$/;

function isBlockObject(value: unknown): value is AnyBlock {
  return typeof value === 'object' && value !== null && 'id' in value && 'granularity' in value && 'params' in value;
}

/** `./blocks/denoise`, `../shared-blocks/x.mjs`: a block module or folder next to the pipeline. */
export const LOCAL_BLOCK_PATTERN = /^\.\.?\//;

const blockRef = z.union([
  z.string().regex(BLOCK_REF_PATTERN, { message: 'a block reference like "dsp/mfcc@1" (id@major)' }),
  z.string().regex(LOCAL_BLOCK_PATTERN, { message: 'a local block path starting with ./ or ../' }),
  z.custom<AnyBlock>(isBlockObject, { message: 'a block reference like "dsp/mfcc@1" or a block object' }),
]);

export const blockConfigSchema = z
  .object({
    block: blockRef.describe('Block id and major version, e.g. "dsp/mfcc@1"'),
    params: z.record(z.string(), z.unknown()).optional().describe("The block's params; checked against its schema"),
    inputs: z
      .record(z.string(), z.string().regex(INPUT_REF_PATTERN, { message: 'a block name, or "block.output"' }))
      .optional()
      .describe('Input name → the block (or "block.output") it reads from'),
    cache: z.enum(['auto', 'never']).optional().describe('"never" runs the block on every run'),
    onBadSample: z.enum(['fail', 'skip']).optional().describe('Fail listing every bad sample (default), or skip and report them'),
    description: z.string().optional(),
  })
  .strict();

/** A deployment: a target (e.g. `cpp`) fed the model of a learn block and the DSP before it. */
export const deployConfigSchema = z
  .object({
    target: z.string().regex(/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(@\d+)?$/, { message: 'a target id like "cpp" (optionally id@major)' }),
    model: z.string().optional().describe('The learn block whose model is deployed (default: the first one that can classify)'),
    anomaly: z
      .union([z.string(), z.literal(false)])
      .optional()
      .describe('The learn block whose anomaly model is deployed beside the classifier (it must read the same features); default: the one anomaly block reading them, if any; false: none'),
    params: z.record(z.string(), z.unknown()).optional().describe("The target's params; checked against its schema"),
    out: z.string().optional().describe('Folder the generated files are written to, relative to the pipeline (default: .tinyforge/deploy/<pipeline>/<name>)'),
  })
  .strict();

export const pipelineSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'lower-case letters, digits, "-" and "_"' }),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { message: 'a semver version like "1.0.0"' })
      .optional(),
    description: z.string().optional(),
    env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional().describe('Environment variables whose values enter every action key'),
    blocks: z
      .record(z.string().regex(BLOCK_NAME_PATTERN, { message: 'a block name: a letter, then letters, digits, "-" or "_"' }), blockConfigSchema)
      .refine((b) => Object.keys(b).length > 0, { message: 'a pipeline needs at least one block' }),
    deploy: z.record(z.string().regex(BLOCK_NAME_PATTERN), deployConfigSchema).optional().describe('Deployments run after the blocks: name → target'),
  })
  .strict();

export type ValidPipelineConfig = z.output<typeof pipelineSchema>;
export type ValidBlockConfig = z.output<typeof blockConfigSchema>;

/** The JSON Schema published for editors (JSON/YAML pipelines). */
export function pipelineJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pipelineSchema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}
