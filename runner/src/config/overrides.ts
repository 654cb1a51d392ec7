import { TinyforgeError } from '@tinyforge/sdk';

/** `--set <block>.<param>[.<sub>…]=<value>`; the value is JSON when it parses as JSON, else a string. */
export interface ParamOverride {
  block: string;
  path: string[];
  value: unknown;
}

export function parseOverride(text: string): ParamOverride {
  const eq = text.indexOf('=');
  const lhs = eq < 0 ? '' : text.slice(0, eq);
  const parts = lhs.split('.');
  if (eq < 0 || parts.length < 2 || parts.some((p) => p.length === 0)) {
    throw new TinyforgeError({ code: 'USAGE', message: `--set ${text}: expected <block>.<param>=<value>` });
  }
  const rhs = text.slice(eq + 1);
  let value: unknown = rhs;
  try {
    value = JSON.parse(rhs);
  } catch {
    // a bare word is a string: --set ingest.directory=../data
  }
  return { block: parts[0]!, path: parts.slice(1), value };
}

/** Returns a copy of the raw config with the overrides applied to block params. */
export function applyOverrides(raw: unknown, overrides: readonly ParamOverride[], file: string): unknown {
  if (overrides.length === 0) return raw;
  const config = { ...(raw as Record<string, unknown>) };
  const blocks = { ...((config.blocks as Record<string, unknown>) ?? {}) };
  config.blocks = blocks;
  for (const o of overrides) {
    const block = blocks[o.block] as Record<string, unknown> | undefined;
    if (!block || typeof block !== 'object') {
      throw new TinyforgeError({ code: 'USAGE', file, message: `--set ${o.block}.${o.path.join('.')}: the pipeline has no block "${o.block}"`, hint: `blocks: ${Object.keys(blocks).join(', ')}` });
    }
    const copy = { ...block, params: structuredCloneSafe(block.params ?? {}) as Record<string, unknown> };
    let cursor = copy.params as Record<string, unknown>;
    for (const key of o.path.slice(0, -1)) {
      const next = cursor[key];
      cursor[key] = next && typeof next === 'object' ? { ...(next as object) } : {};
      cursor = cursor[key] as Record<string, unknown>;
    }
    cursor[o.path[o.path.length - 1]!] = o.value;
    blocks[o.block] = copy;
  }
  return config;
}

function structuredCloneSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
