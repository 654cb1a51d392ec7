import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createNodesFromFiles, type CreateNodesContextV2, type CreateNodesResult, type CreateNodesV2, type TargetConfiguration } from '@nx/devkit';
import { pipelineEnvNames } from './pipeline-env.js';

export interface TinyforgeNxOptions {
  /** Target names (defaults `run`, `test`, `deploy`). */
  runTargetName?: string;
  testTargetName?: string;
  deployTargetName?: string;
  /** Prefix for project names (default none: the pipeline folder's name). */
  projectNamePrefix?: string;
  /** How to call the CLI (default `npx tinyforge`). */
  cli?: string;
  /**
   * Packages whose version enters the task hash. Default: the `@tinyforge/*` and
   * `tinyforge-block-*` packages the root package.json depends on (when a lockfile exists,
   * since Nx knows external packages from the lockfile only).
   */
  externalDependencies?: string[];
}

/** Narrow on purpose: the plugin runs on every Nx command (lesson 18). */
export const PIPELINE_GLOB = '**/pipelines/*/pipeline.{ts,json,yaml,yml}';

type PipelineNode = NonNullable<CreateNodesResult['projects']>[string];

export const createNodesV2: CreateNodesV2<TinyforgeNxOptions> = [
  PIPELINE_GLOB,
  (files, options, context) => {
    const external = options?.externalDependencies ?? defaultExternalDependencies(context);
    return createNodesFromFiles((file, opts, ctx) => ({ projects: { [dirname(file)]: pipelineProject(file, opts ?? {}, ctx.workspaceRoot, external) } }), files, options, context);
  },
];

/** Nx 22 calls `createNodesV2 ?? createNodes` with the v2 signature; Nx 23+ prefers `createNodes`. */
export const createNodes = createNodesV2;

/**
 * The project for one pipeline file (workspace-relative path). Deterministic and serialisable:
 * relative paths only, sorted lists, nothing from the clock or the machine (lesson 19).
 */
export function pipelineProject(file: string, options: TinyforgeNxOptions, workspaceRoot: string, externalDependencies: string[] = []): PipelineNode {
  const root = dirname(file);
  const name = `${options.projectNamePrefix ?? ''}${basename(root)}`;
  const cli = options.cli ?? 'npx tinyforge';
  const env = pipelineEnvNames(join(workspaceRoot, file));
  const inputs: NonNullable<TargetConfiguration['inputs']> = [
    '{projectRoot}/**/*',
    // Data is usually gitignored (invisible to Nx); the committed lock stands for it.
    '{projectRoot}/tinyforge.lock',
    '{workspaceRoot}/tinyforge.config.json',
    ...(externalDependencies.length > 0 ? [{ externalDependencies: [...externalDependencies].sort() }] : []),
    ...env.map((e) => ({ env: e })),
  ];
  const manifest = `dist/tinyforge/${name}/run.json`;
  const run: TargetConfiguration = {
    executor: 'nx:run-commands',
    cache: true,
    inputs,
    // Manifests only: the data lives in tinyforge's cache (and its remote), not in Nx's (lesson 21).
    outputs: [`{workspaceRoot}/${manifest}`],
    options: { command: `mkdir -p dist/tinyforge/${name} && ${cli} run ${root} --json > ${manifest}` },
    metadata: { technologies: ['tinyforge'], description: `Run pipeline ${name}; blocks whose inputs did not change come from the cache` },
  };
  const test: TargetConfiguration = {
    executor: 'nx:run-commands',
    cache: true,
    dependsOn: [options.runTargetName ?? 'run'],
    inputs,
    options: { command: `${cli} test ${root}` },
    metadata: { technologies: ['tinyforge'], description: `Test pipeline ${name} against its test cases` },
  };
  const deploy: TargetConfiguration = {
    executor: 'nx:run-commands',
    cache: false,
    dependsOn: [options.testTargetName ?? 'test'],
    // `run` builds the pipeline's deployments; this gate checks every built library (native, WASM,
    // Cortex-M4 under QEMU) against the reference before anything ships.
    options: { command: `${cli} test ${root} --target all` },
    metadata: { technologies: ['tinyforge'], description: `Check every deployed library of ${name} against the reference` },
  };
  return {
    root,
    name,
    projectType: 'application',
    tags: ['tinyforge:pipeline'],
    targets: {
      [options.runTargetName ?? 'run']: run,
      [options.testTargetName ?? 'test']: test,
      [options.deployTargetName ?? 'deploy']: deploy,
    },
  };
}

function defaultExternalDependencies(context: CreateNodesContextV2): string[] {
  const root = context.workspaceRoot;
  const lockfiles = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb'];
  if (!lockfiles.some((f) => existsSync(join(root, f)))) return [];
  let pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return [];
  }
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  return names.filter((n) => n.startsWith('@tinyforge/') || /^(@[^/]+\/)?tinyforge-block-/.test(n)).sort();
}
