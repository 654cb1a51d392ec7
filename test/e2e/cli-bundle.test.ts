import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLI, REPO_ROOT, createSliceProject } from '../support/slice-project.js';

describe('bundled CLI (runner/dist/cli-bundle, built by runner/scripts/bundle-cli.mjs)', () => {
  test('bin runs the bundle while it matches the compiled runner, and dist/ as soon as it does not', () => {
    // A copy of the runner with the repo's node_modules beside it, so we can age its files.
    const root = mkdtempSync(join(tmpdir(), 'tinyforge-bundle-'));
    cpSync(join(REPO_ROOT, 'runner/bin'), join(root, 'runner/bin'), { recursive: true });
    cpSync(join(REPO_ROOT, 'runner/dist'), join(root, 'runner/dist'), { recursive: true, preserveTimestamps: true });
    cpSync(join(REPO_ROOT, 'runner/package.json'), join(root, 'runner/package.json'));
    // A checkout (has build info) checks the stamp; an installed package trusts its bundle.
    cpSync(join(REPO_ROOT, 'runner/tsconfig.tsbuildinfo'), join(root, 'runner/tsconfig.tsbuildinfo'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    cpSync(join(REPO_ROOT, 'runner/scripts'), join(root, 'runner/scripts'), { recursive: true });
    execFileSync(process.execPath, [join(root, 'runner/scripts/bundle-cli.mjs')], { cwd: root, stdio: 'ignore' });
    const bin = join(root, 'runner/bin/tinyforge.js');
    const version = () => execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim();
    const real = version();
    expect(real).toMatch(/^\d+\.\d+\.\d+/);

    // Mark the bundle (not one of its stamped inputs): a fresh stamp means the bundle runs.
    const bundleDir = join(root, 'runner/dist/cli-bundle');
    const marker = `RUNNER_VERSION = "${real}"`;
    const chunk = readdirSync(bundleDir).find((f) => f.endsWith('.js') && readFileSync(join(bundleDir, f), 'utf8').includes(marker));
    expect(chunk).toBeDefined();
    const bundled = join(bundleDir, chunk!);
    const source = readFileSync(bundled, 'utf8');
    writeFileSync(bundled, source.replace(marker, 'RUNNER_VERSION = "9.9.9-bundle"'));
    expect(version()).toBe('9.9.9-bundle');

    // `tsc -b` rewrote a runner module: the stamp no longer matches, the compiled dist/ runs.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'runner/dist/version.js'), later, later);
    expect(version()).toBe(real);
  });

  test('the bundled and unbundled CLI print the same status', () => {
    const project = createSliceProject({ samplesPerLabel: 3 });
    execFileSync(process.execPath, [CLI, 'run', project], { stdio: 'ignore' });
    const bundled = execFileSync(process.execPath, [CLI, 'status', project, '--json'], { encoding: 'utf8' });
    const script = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'runner/dist/cli/main.js'))}); process.exitCode = await main(process.argv.slice(1));`;
    const plain = execFileSync(process.execPath, ['--input-type=module', '-e', script, 'status', project, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(bundled)).toEqual(JSON.parse(plain));
    expect((JSON.parse(bundled) as { blocks: { state: string }[] }).blocks.every((b) => b.state === 'cached')).toBe(true);
  });
});
