import { z } from 'zod';
import { defineTarget } from '@tinyforge/sdk';
import { CPP_LIBRARY_IDENTITY, cppLibraryFiles, libraryName, libraryParams } from '@tinyforge/target-cpp';

export { wasmToolchainStatus, compileWasm, WASM_APT_PACKAGES } from './compile-wasm.js';

const params = libraryParams.extend({
  /** npm package name of the generated package (default `<name>-wasm`). */
  packageName: z.string().regex(/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/).optional(),
  /** auto: without a wasm32 toolchain, write the sources and a build script and warn; required: fail. */
  build: z.enum(['auto', 'required']).default('auto'),
});

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'model';

/**
 * wasm: the cpp target's library compiled with clang for wasm32 (wasi-libc, reactor, no WASI
 * imports) plus an ES module wrapper with types and a package.json: the bundle is an npm package
 * (`npm pack` in it gives a tarball another project installs).
 */
export default defineTarget({
  id: 'wasm',
  version: '1.1.0',
  apiVersion: 1,
  description: 'WebAssembly npm package: the C++ library built with clang (wasm32-wasi), ES module wrapper with TypeScript types',
  params,
  identity: async () => ({ ...CPP_LIBRARY_IDENTITY, ...(await (await import('./compile-wasm.js')).wasmToolchainIdentity()) }),
  async emit(ctx) {
    const p = ctx.params;
    const name = libraryName(p, ctx);
    const files = await cppLibraryFiles(ctx, { ...p, name });
    const { WASM_API_SOURCE } = await import('./wasm-api.js');
    const { compileWasm, WASM_CFLAGS, WASM_LDFLAGS } = await import('./compile-wasm.js');
    const { wrapperDts, wrapperJs } = await import('./js-wrapper.js');
    files.set('tf_wasm_api.cpp', WASM_API_SOURCE);
    const sources = [...files.keys()].filter((f) => /\.(c|cpp)$/.test(f) && (f.startsWith('tinyforge-sdk/') || f.startsWith('model/') || f === 'tf_wasm_api.cpp')).sort();
    const { wasmToolchainStatus: toolchain } = await import('./compile-wasm.js');
    const tc = await toolchain();
    if (!tc.available && p.build === 'auto') {
      // A machine without clang still gets everything needed to build the module elsewhere.
      ctx.log.warn(`model.wasm not built: ${tc.reason}; wrote the sources and build.sh instead`);
      for (const [rel, text] of files) await ctx.output.writeFile(`src/${rel}`, text);
      const objects = sources.map((s) => `${s.replace(/[/.]/g, '_')}.o`);
      const script = ['#!/bin/sh', '# Builds model.wasm from src/ (needs clang, lld, wasi-libc, compiler-rt for wasm32).', 'set -e', 'cd "$(dirname "$0")/src"',
        ...sources.map((s, i) => `${s.endsWith('.cpp') ? 'clang++ -std=c++11 -fno-exceptions -fno-rtti' : 'clang -std=c99'} ${WASM_CFLAGS.join(' ')} -I. -c ${s} -o ${objects[i]}`),
        `clang ${WASM_LDFLAGS.join(' ')} ${objects.join(' ')} -o ../model.wasm`, ''].join('\n');
      await ctx.output.writeFile('build.sh', script);
      return;
    }
    const wasm = await compileWasm(files, sources, ctx.signal);
    const labels = /#define EI_CLASSIFIER_LABELS \{ (.*) \}/.exec(files.get('model-parameters/model_metadata.h') ?? '')?.[1];
    const meta = {
      name: p.packageName ?? `${slug(name)}-wasm`,
      version: ctx.pipeline.version ?? '0.0.0',
      project: name,
      labels: labels ? (JSON.parse(`[${labels}]`) as string[]) : [],
    };
    await ctx.output.writeFile('model.wasm', wasm);
    await ctx.output.writeFile('index.js', wrapperJs(meta));
    await ctx.output.writeFile('index.d.ts', wrapperDts(meta));
    await ctx.output.writeJson('package.json', {
      name: meta.name,
      version: meta.version,
      description: `${name}: tinyforge model (DSP + network) compiled to WebAssembly`,
      type: 'module',
      main: './index.js',
      types: './index.d.ts',
      exports: { '.': { types: './index.d.ts', default: './index.js' }, './model.wasm': './model.wasm' },
      files: ['index.js', 'index.d.ts', 'model.wasm', 'README.md'],
      sideEffects: false,
      engines: { node: '>=18' },
    });
    await ctx.output.writeFile('README.md', readme(meta, wasm.length, [...WASM_CFLAGS], [...WASM_LDFLAGS]));
  },
});

function readme(meta: { name: string; project: string; labels: string[] }, bytes: number, cflags: string[], ldflags: string[]): string {
  return `# ${meta.name}

The \`${meta.project}\` model (DSP front end + network) compiled to WebAssembly by tinyforge:
${bytes} bytes, no imports besides a clock, no dependencies. Labels: ${meta.labels.join(', ')}.

\`\`\`js
import { init, classify, properties } from '${meta.name}';
await init();                          // Node: reads model.wasm next to index.js; browsers: fetches it
const { inputFeaturesCount } = properties();
const { label, scores, timing } = classify(window); // window: inputFeaturesCount raw values
\`\`\`

\`load()\` gives independent classifiers; \`init(source)\` accepts a URL, bytes, a \`Response\` or a
compiled \`WebAssembly.Module\` (e.g. for bundlers that serve model.wasm elsewhere).

Built with \`clang ${cflags.join(' ')}\` and linked with \`${ldflags.join(' ')}\`.
`;
}
