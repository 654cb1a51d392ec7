import { z } from 'zod';
import { catalogFor } from '../plan/catalog-for.js';
import { compareSemver } from '../plan/block-catalog.js';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/**
 * The pipeline reference of every built-in block, generated from the blocks' zod schemas so it
 * never drifts from the code (docs/blocks.md; a test checks the committed file is current).
 */
export async function blocksMarkdown(): Promise<string> {
  const catalog = catalogFor(process.cwd());
  const entries = catalog.entries.filter((e) => e.source === '@tinyforge/blocks').sort((a, b) => a.id.localeCompare(b.id) || compareSemver(a.version, b.version));
  const out: string[] = [
    '# Built-in blocks',
    '',
    'Generated from the blocks\' zod schemas by `tinyforge blocks docs`; do not edit by hand.',
    'Reference a block in a pipeline as `<id>@<major>`, e.g. `dsp/mfcc@1`.',
    '',
  ];
  for (const entry of entries) {
    const block = await catalog.load(entry);
    const schema = z.toJSONSchema(block.params, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    out.push(`## \`${block.id}@${block.version.split('.')[0]}\` (${block.version})`, '');
    out.push(block.description ?? entry.description, '');
    const io = (spec: Record<string, string>) => Object.entries(spec).map(([n, k]) => `\`${n}\`: ${k}`).join(', ') || '—';
    out.push(`Kind: ${block.kind} · granularity: ${block.granularity} · inputs: ${io(block.inputs)} · outputs: ${io(block.outputs)}`, '');
    const rows = paramRows(schema, '');
    if (rows.length === 0) out.push('No params.', '');
    else out.push('| param | type | default | description |', '|---|---|---|---|', ...rows, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function paramRows(schema: JsonSchemaNode, prefix: string): string[] {
  const rows: string[] = [];
  for (const [name, node] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    rows.push(`| \`${path}\` | ${cell(typeOf(node))} | ${node.default === undefined ? '' : `\`${cell(JSON.stringify(node.default))}\``} | ${cell(node.description ?? '')} |`);
    if (node.properties) rows.push(...paramRows(node, path));
  }
  return rows;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.anyOf) return node.anyOf.map(typeOf).join(' or ');
  const base = Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? 'any');
  if (base === 'array' && node.items) return `${typeOf(node.items)}[]`;
  const range = [node.minimum !== undefined ? `≥ ${node.minimum}` : '', node.exclusiveMinimum !== undefined ? `> ${node.exclusiveMinimum}` : '', node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${node.maximum}` : ''].filter(Boolean).join(', ');
  return range ? `${base} (${range})` : base;
}
