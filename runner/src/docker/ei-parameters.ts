import { z } from 'zod';
import { TinyforgeError, type ContainerLimits } from '@tinyforge/sdk';

/** Edge Impulse `parameters.json` (edge-impulse-cli shared/parameters-json-types.ts), the parts used here. */
export interface EiParametersFile {
  version?: number;
  type: 'dsp' | 'machine-learning' | 'transform' | 'deploy' | 'synthetic-data' | 'ai-action';
  info: { name?: string; title?: string; description?: string; operatesOn?: string; [key: string]: unknown };
  parameters: EiParameter[];
}

export interface EiParameter {
  name?: string;
  value?: string | number | boolean;
  type: 'string' | 'int' | 'float' | 'select' | 'boolean' | 'bucket' | 'dataset' | 'flag' | 'secret';
  param: string;
  help?: string;
  valid?: (string | { label?: string; value: string })[];
  optional?: boolean;
  showIf?: { parameter: string; operator: 'eq' | 'neq'; value: string };
}

const PARAM_TYPES = new Set(['string', 'int', 'float', 'select', 'boolean', 'bucket', 'dataset', 'flag', 'secret']);
/** The reserved param that sets container limits from the pipeline; never passed to the block. */
export const LIMITS_PARAM = 'container';

/** Reads and checks a parameters.json; DSP files group their items, which are flattened here. */
export function parseParametersFile(text: string, file: string): EiParametersFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new TinyforgeError({ code: 'PLUGIN', file, message: `not valid JSON: ${(error as Error).message}` });
  }
  // Legacy transform blocks: a bare array of parameters, no info.
  if (Array.isArray(doc)) doc = { version: 1, type: 'transform', info: {}, parameters: doc };
  const d = doc as Partial<EiParametersFile> & { parameters?: unknown[] };
  const fail = (message: string) => new TinyforgeError({ code: 'PLUGIN', file, message });
  if (!d || typeof d !== 'object') throw fail('expected an object with type, info and parameters');
  const raw = Array.isArray(d.parameters) ? d.parameters : [];
  // Processing blocks often leave `type` out (EI's own examples do): grouped parameters or a
  // cppType say "dsp"; some files put it in info.type instead.
  const infoType = (d.info as { type?: unknown } | undefined)?.type;
  const grouped = raw.length > 0 && raw.every((p) => p && typeof p === 'object' && 'group' in p);
  const type = d.type ?? (typeof infoType === 'string' ? infoType : typeof d.info?.cppType === 'string' || grouped ? 'dsp' : undefined);
  if (typeof type !== 'string') throw fail('"type" is missing (machine-learning, transform, dsp, …)');
  const items = raw.flatMap((p) => (p && typeof p === 'object' && 'group' in p && Array.isArray((p as { items?: unknown }).items) ? (p as unknown as { items: unknown[] }).items : [p]));
  const parameters: EiParameter[] = [];
  for (const [i, item] of items.entries()) {
    const p = item as Partial<EiParameter>;
    if (!p || typeof p.param !== 'string' || !p.param) throw fail(`parameters[${i}]: "param" is missing`);
    if (!PARAM_TYPES.has(p.type as string)) throw fail(`parameters[${i}] (${p.param}): unknown type ${JSON.stringify(p.type)}`);
    if (p.param === LIMITS_PARAM) throw fail(`parameters[${i}]: the name "${LIMITS_PARAM}" is reserved by tinyforge for container limits`);
    parameters.push(p as EiParameter);
  }
  return { version: d.version ?? 1, type: type as EiParametersFile['type'], info: (d.info as EiParametersFile['info']) ?? {}, parameters };
}

export const limitsSchema = z
  .object({
    timeoutSec: z.number().positive().optional().describe('Kill the container after this many seconds'),
    memoryMb: z.number().int().positive().optional().describe('Memory limit (no swap)'),
    cpus: z.number().positive().optional().describe('CPU limit, e.g. 0.5 or 2'),
  })
  .strict()
  .optional()
  .describe('Container limits (tinyforge; not passed to the block)');

/** The params of an EI block as a zod schema: one key per `param`, defaults from `value`. */
export function paramsSchema(file: EiParametersFile): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const p of file.parameters) {
    let t = itemSchema(p);
    const described = p.help ?? p.name;
    if (described) t = t.describe(described);
    const def = defaultOf(p);
    shape[p.param] = def !== undefined ? (t as z.ZodType<unknown>).default(def as never) : p.optional || p.type === 'flag' ? t.optional() : t;
  }
  shape[LIMITS_PARAM] = limitsSchema;
  return z.object(shape);
}

function itemSchema(p: EiParameter): z.ZodType {
  switch (p.type) {
    case 'int':
      return z.number().int();
    case 'float':
      return z.number();
    case 'boolean':
    case 'flag':
      return z.boolean();
    case 'select': {
      const values = (p.valid ?? []).map((v) => (typeof v === 'string' ? v : String(v.value)));
      return values.length > 0 ? z.enum(values as [string, ...string[]]) : z.string();
    }
    default:
      return z.string();
  }
}

function defaultOf(p: EiParameter): unknown {
  const v = p.value;
  if (v === undefined || v === null || (v === '' && p.type !== 'string')) return undefined;
  switch (p.type) {
    case 'int':
    case 'float': {
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
    case 'flag':
      return v === true || v === 'true' || v === 1 || v === '1';
    default:
      return String(v);
  }
}

/**
 * Params as command-line arguments, Edge Impulse style: `--<param> <value>`, booleans as
 * `1`/`0`, a `flag` present or absent, `secret`s as environment variables (not arguments).
 * Params hidden by `showIf` are not passed.
 */
export function paramArgs(file: EiParametersFile, params: Record<string, unknown>): { args: string[]; env: Record<string, string> } {
  const args: string[] = [];
  const env: Record<string, string> = {};
  const visible = (p: EiParameter) => {
    if (!p.showIf) return true;
    const other = String(params[p.showIf.parameter]);
    return p.showIf.operator === 'neq' ? other !== String(p.showIf.value) : other === String(p.showIf.value);
  };
  for (const p of file.parameters) {
    const value = params[p.param];
    if (value === undefined || !visible(p)) continue;
    if (p.type === 'secret') env[p.param.toUpperCase().replace(/[^A-Z0-9_]/g, '_')] = String(value);
    else if (p.type === 'flag') {
      if (value === true) args.push(`--${p.param}`);
    } else if (p.type === 'boolean') args.push(`--${p.param}`, value ? '1' : '0');
    else args.push(`--${p.param}`, String(value));
  }
  return { args, env };
}

export function limitsFrom(params: Record<string, unknown>): ContainerLimits {
  return (params[LIMITS_PARAM] as ContainerLimits | undefined) ?? {};
}
