import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TinyforgeError } from '@tinyforge/sdk';
import { DOCKERFILE, DOCKER_SCRIPT, GITIGNORE, TSCONFIG, blockSource, blockTest, packageJson, readme, type ScaffoldKind, type ScaffoldNames } from './scaffold-templates.js';

export const SCAFFOLD_KINDS: readonly ScaffoldKind[] = ['dsp', 'transform', 'learn', 'deploy'];
const NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9-]*$/;

export interface ScaffoldOptions {
  kind?: string;
  docker?: boolean;
  /** Parent folder of the new package (default: the current directory). */
  dir?: string;
}

export interface ScaffoldResult {
  packageDir: string;
  packageName: string;
  blockId: string;
  files: string[];
}

/**
 * Writes a ready block package `tinyforge-block-<name>` (or `@scope/tinyforge-block-<name>`):
 * package.json with the tinyforge listing, the block in TypeScript, a node:test test using
 * @tinyforge/sdk/testing, a README. Refuses to write into an existing folder.
 */
export function scaffoldBlockPackage(name: string, options: ScaffoldOptions = {}): ScaffoldResult {
  const given = name.replace(/^(@[^/]+\/)?tinyforge-block-/, '$1');
  if (!NAME.test(given)) {
    throw new TinyforgeError({ code: 'USAGE', message: `"${name}" is not a usable block name`, expected: 'lower-case letters, digits and "-", optionally @scope/, e.g. denoise or @acme/denoise' });
  }
  const kind = (options.kind ?? 'transform') as ScaffoldKind;
  if (!SCAFFOLD_KINDS.includes(kind)) throw new TinyforgeError({ code: 'USAGE', message: `unknown kind "${options.kind}"`, expected: SCAFFOLD_KINDS.join(', ') });
  if (options.docker && kind !== 'transform') {
    throw new TinyforgeError({ code: 'USAGE', message: `--docker scaffolds a transform block (Edge Impulse transformation contract); --kind ${kind} is not available with it` });
  }
  const scope = /^(@[^/]+)\//.exec(given)?.[1];
  const short = given.replace(/^@[^/]+\//, '');
  const names: ScaffoldNames = {
    packageName: scope ? `${scope}/tinyforge-block-${short}` : `tinyforge-block-${short}`,
    blockId: given,
    name: short,
    kind,
    docker: options.docker === true,
    sdkVersion: sdkVersion(),
  };
  const packageDir = resolve(options.dir ?? '.', `tinyforge-block-${short}`);
  if (existsSync(packageDir)) throw new TinyforgeError({ code: 'USAGE', file: packageDir, message: 'already exists; choose another name or --dir' });

  const files: Record<string, string> = {
    'package.json': packageJson(names),
    'tsconfig.json': TSCONFIG,
    '.gitignore': GITIGNORE,
    'README.md': readme(names),
    'src/index.ts': blockSource(names),
    'test/block.test.ts': blockTest(names),
  };
  if (names.docker) {
    files['docker/Dockerfile'] = DOCKERFILE;
    files['docker/transform.mjs'] = DOCKER_SCRIPT;
  }
  for (const [rel, content] of Object.entries(files)) {
    const path = join(packageDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return { packageDir, packageName: names.packageName, blockId: names.blockId, files: Object.keys(files) };
}

/** The SDK version this runner speaks, for the generated peer range. */
function sdkVersion(): string {
  const sdkEntry = fileURLToPath(import.meta.resolve('@tinyforge/sdk'));
  const pkg = JSON.parse(readFileSync(join(dirname(sdkEntry), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** `tinyforge blocks init <name>`. */
export async function blocksInitCommand(name: string, options: ScaffoldOptions): Promise<number> {
  const result = scaffoldBlockPackage(name, options);
  const rel = relative(process.cwd(), result.packageDir) || '.';
  process.stdout.write(
    `created ${result.packageName} (block ${result.blockId}) in ${rel}\n` +
      result.files.map((f) => `  ${f}\n`).join('') +
      `next:\n  cd ${rel}\n  npm install\n  npm test\n`,
  );
  return 0;
}
