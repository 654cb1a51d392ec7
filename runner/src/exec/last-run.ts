import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunManifest } from './run-pipeline.js';

/** The newest run manifest of a pipeline, or undefined. */
export async function readLastRun(runsDir: string, pipeline: string): Promise<RunManifest | undefined> {
  let files: string[];
  try {
    files = (await readdir(runsDir)).filter((f) => f.endsWith('.json')).sort().reverse();
  } catch {
    return undefined;
  }
  for (const file of files) {
    try {
      const manifest = JSON.parse(await readFile(join(runsDir, file), 'utf8')) as RunManifest;
      if (manifest.pipeline === pipeline) return manifest;
    } catch {
      // a manifest being written or damaged: look at older ones
    }
  }
  return undefined;
}
