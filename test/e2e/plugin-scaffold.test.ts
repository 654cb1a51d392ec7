import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli } from '../support/slice-project.js';

const exec = promisify(execFile);
// Inside the repo: the generated packages' devDependencies (typescript, @tinyforge/sdk, zod,
// @types/node) resolve from the workspace's node_modules instead of an `npm install`.
const parent = mkdtempSync(join(REPO_ROOT, 'test/.tmp-scaffold-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

async function npmTest(dir: string): Promise<{ code: number; out: string }> {
  return exec('npm', ['test'], { cwd: dir, maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

const VARIANTS: { name: string; args: string[]; kind: string; tests: number }[] = [
  { name: 'gain', args: [], kind: 'transform', tests: 3 },
  { name: 'stats', args: ['--kind', 'dsp'], kind: 'dsp', tests: 3 },
  { name: 'centroid', args: ['--kind', 'learn'], kind: 'learn', tests: 2 },
  { name: 'carray', args: ['--kind', 'deploy'], kind: 'deploy', tests: 2 },
  { name: 'boxed', args: ['--docker'], kind: 'transform', tests: 2 },
];

describe('tinyforge blocks init', () => {
  test('every kind scaffolds a package that passes its own npm test', async () => {
    for (const v of VARIANTS) {
      const made = await runCli(['blocks', 'init', v.name, ...v.args, '--dir', parent]);
      expect(made.code, made.stderr).toBe(0);
      expect(made.stdout).toContain(`created tinyforge-block-${v.name} (block ${v.name})`);
      const pkg = JSON.parse(readFileSync(join(parent, `tinyforge-block-${v.name}/package.json`), 'utf8'));
      expect(pkg.keywords).toContain('tinyforge-block');
      expect(pkg.peerDependencies).toMatchObject({ '@tinyforge/sdk': expect.stringMatching(/^>=0\.\d+\.\d+ <2$/), zod: '^4.1.0' });
      expect(pkg.tinyforge.blocks).toEqual([expect.objectContaining({ id: v.name, version: '1.0.0', kind: v.kind, module: './dist/src/index.js' })]);
      expect(pkg.exports['.'].default).toBe('./dist/src/index.js');
    }
    // Two at a time: each runs tsc.
    for (let i = 0; i < VARIANTS.length; i += 2) {
      const batch = VARIANTS.slice(i, i + 2);
      const results = await Promise.all(batch.map((v) => npmTest(join(parent, `tinyforge-block-${v.name}`))));
      results.forEach((r, j) => {
        expect(r.code, r.out).toBe(0);
        expect(r.out).toContain(`# pass ${batch[j]!.tests}`);
        expect(r.out).toContain('# fail 0');
      });
    }
    // The listed module is what the build produced, and exports the listed block.
    const { default: block } = await import(join(parent, 'tinyforge-block-stats/dist/src/index.js'));
    expect([block.id, block.version, block.kind, typeof block.emitC]).toEqual(['stats', '1.0.0', 'dsp', 'function']);
  }, 240_000);

  test('the generated tests catch a broken block', async () => {
    const dir = join(parent, 'tinyforge-block-gain');
    if (!existsSync(join(dir, 'dist'))) await runCli(['blocks', 'init', 'gain', '--dir', parent]);
    const source = join(dir, 'src/index.ts');
    const original = readFileSync(source, 'utf8');
    expect(original).toContain('* ctx.params.gain');
    writeFileSync(source, original.replace('* ctx.params.gain', '+ ctx.params.gain'));
    const broken = await npmTest(dir);
    expect(broken.code).not.toBe(0);
    expect(broken.out).toMatch(/# fail [1-9]/);
  }, 120_000);

  test('bad names, unknown kinds and existing folders are usage errors', async () => {
    const badName = await runCli(['blocks', 'init', 'Bad Name', '--dir', parent]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('"Bad Name" is not a usable block name');
    const badKind = await runCli(['blocks', 'init', 'x', '--kind', 'ingest', '--dir', parent]);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toContain('unknown kind "ingest" (expected dsp, transform, learn, deploy)');
    const dockerLearn = await runCli(['blocks', 'init', 'y', '--kind', 'learn', '--docker', '--dir', parent]);
    expect(dockerLearn.code).toBe(2);
    await runCli(['blocks', 'init', 'twice', '--dir', parent]);
    const again = await runCli(['blocks', 'init', 'twice', '--dir', parent]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const scoped = await runCli(['blocks', 'init', '@acme/thing', '--dir', parent]);
    expect(scoped.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(parent, 'tinyforge-block-thing/package.json'), 'utf8'));
    expect([pkg.name, pkg.tinyforge.blocks[0].id]).toEqual(['@acme/tinyforge-block-thing', '@acme/thing']);
  });
});
