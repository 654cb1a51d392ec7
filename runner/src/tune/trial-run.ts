import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunManifest } from '../exec/run-pipeline.js';

const CHILD = fileURLToPath(new URL('./trial-child.js', import.meta.url));

export interface TrialProcessResult {
  manifest?: RunManifest;
  exitCode: number;
  stderr: string;
}

/**
 * Runs one trial as an ordinary pipeline run with `--set` overrides in a child process
 * (trial-child.ts: the engine of `tinyforge run`, deployments filtered): every block is a normal
 * cached action, so a finished trial costs a cache lookup the next time. The child
 * keeps its block state and run manifests under `home` (not the pipeline's own `state/`, which
 * `test`/`eval` read) while sharing the project's cache through TINYFORGE_CACHE_DIR.
 */
export function runTrialProcess(pipelineFile: string, setArgs: readonly string[], deploys: 'measure' | 'none' | 'all', home: string, cacheDir: string, signal?: AbortSignal): Promise<TrialProcessResult> {
  const args = [CHILD, pipelineFile, deploys, ...setArgs.flatMap((s) => ['--set', s])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, TINYFORGE_HOME: home, TINYFORGE_CACHE_DIR: cacheDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal ? { signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ exitCode: 1, stderr: `${stderr}${e.message}` }));
    child.on('close', (code) => {
      let manifest: RunManifest | undefined;
      try {
        manifest = JSON.parse(stdout) as RunManifest;
      } catch {
        // bad config: the child printed an error instead of a manifest
      }
      resolve({ ...(manifest ? { manifest } : {}), exitCode: code ?? 1, stderr: stderr.trim() });
    });
  });
}
