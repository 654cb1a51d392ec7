import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * Env var names a pipeline declares (`env: [...]`): their values enter block keys, so they
 * enter the Nx task hash too. Read from JSON/YAML directly; TS pipelines are not executed
 * here (too slow for every Nx command), so a literal `env: ['A', 'B']` is read from the text.
 */
export function pipelineEnvNames(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  let env: unknown;
  try {
    if (file.endsWith('.json')) env = (JSON.parse(text) as { env?: unknown }).env;
    else if (file.endsWith('.yaml') || file.endsWith('.yml')) env = (parseYaml(text) as { env?: unknown } | null)?.env;
    else {
      const literal = /\benv\s*:\s*\[([^\]]*)\]/.exec(text)?.[1];
      env = literal ? [...literal.matchAll(/['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g)].map((m) => m[1]) : undefined;
    }
  } catch {
    return [];
  }
  return Array.isArray(env) ? [...new Set(env.filter((e): e is string => typeof e === 'string'))].sort() : [];
}
