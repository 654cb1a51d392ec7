#!/usr/bin/env node
// The tinyforge CLI. Runs the bundled CLI (built by `npm run build`) while it matches the compiled
// runner, else dist/cli/main.js directly, so a plain `tsc -b` never leaves stale code running.
import { existsSync, readFileSync, statSync } from 'node:fs';

const runnerDir = new URL('../', import.meta.url);

function bundleIsFresh() {
  try {
    const stamp = JSON.parse(readFileSync(new URL('dist/cli-bundle/stamp.json', runnerDir), 'utf8'));
    if (stamp.format !== 1) return false;
    // An installed package has no build info: its dist/ and bundle were packed together.
    if (!existsSync(new URL('tsconfig.tsbuildinfo', runnerDir))) return true;
    for (const [file, [size, mtimeMs]] of Object.entries(stamp.inputs)) {
      const st = statSync(new URL(file, runnerDir));
      // Whole milliseconds: copies that keep timestamps lose the sub-millisecond part.
      if (st.size !== size || Math.round(st.mtimeMs) !== Math.round(mtimeMs)) return false;
    }
    return true;
  } catch {
    return false; // no bundle yet, or an input is gone
  }
}

const { main } = await import(bundleIsFresh() ? '../dist/cli-bundle/main.js' : '../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
