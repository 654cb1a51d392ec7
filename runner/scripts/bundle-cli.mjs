#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/cli/main.js and the runner modules it reaches) into a few ESM
 * chunks in dist/cli-bundle/. Why: Node 20 has no module compile cache, and resolving + loading
 * ~40 separate runner/commander modules costs ~50–90 ms of every command, a fifth of `status`.
 *
 * Packages other than commander stay external so the process keeps ONE copy of zod and of
 * @tinyforge/sdk (blocks and plugins import them too; two copies would break instanceof and
 * double zod's load time). `import.meta.url` in each bundled file is rewritten to the URL of its
 * original dist file, so `new URL('./sample-worker.js', import.meta.url)` still finds the worker.
 *
 * bin/tinyforge.js uses the bundle only while stamp.json matches its inputs (size + mtime), so a
 * plain `tsc -b` never runs stale code: it falls back to dist/cli/main.js.
 */
import { build } from 'esbuild';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const runnerDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(runnerDir, 'dist');
const outDir = join(distDir, 'cli-bundle');
const tmpDir = `${outDir}.tmp-${process.pid}`;

/** Keep bare imports external (one copy per process), except small self-contained CLI deps. */
const BUNDLED_PACKAGES = new Set(['commander']);
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED_PACKAGES.has(name) ? undefined : { external: true };
    });
  },
};

/** `import.meta.url` of a runner file → the URL of that file, computed from the chunk's own URL. */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\/runner\/dist\/.*\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromChunk = relative(outDir, args.path).split('\\').join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const result = await build({
  entryPoints: { main: join(distDir, 'cli/main.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: tmpDir,
  metafile: true,
  logLevel: 'warning',
  // commander is CommonJS: its require() of Node built-ins needs a real require in ESM output.
  banner: { js: "import { createRequire as __tfCreateRequire } from 'node:module'; const require = __tfCreateRequire(import.meta.url);" },
  plugins: [externalPackages, keepModuleUrls],
});

const inputs = {};
for (const input of Object.keys(result.metafile.inputs)) {
  const abs = resolve(input);
  const st = statSync(abs);
  inputs[relative(runnerDir, abs).split('\\').join('/')] = [st.size, st.mtimeMs];
}
writeFileSync(join(tmpDir, 'stamp.json'), JSON.stringify({ format: 1, inputs }));
// Swap in whole: a reader sees the old bundle or the new one, never half of each.
rmSync(outDir, { recursive: true, force: true });
renameSync(tmpDir, outDir);
console.log(`bundled the CLI from ${Object.keys(inputs).length} modules into ${relative(process.cwd(), outDir) || outDir}`);
