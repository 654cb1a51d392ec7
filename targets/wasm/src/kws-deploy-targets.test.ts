import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadTestCases } from '../../../runner/src/testing/test-cases.js';
import { toolchainStatus } from '../../cpp/src/device/cortex-m.js';
import { buildArduinoExamples } from '../../arduino/src/testing/arduino-build.js';
import { accelerometerIno } from '../../arduino/src/examples.js';
import { cmakeBuildFromPdsc, pdscFiles } from '../../cmsis-pack/src/testing/pack-build.js';
import { wasmToolchainStatus } from './compile-wasm.js';

/**
 * The wasm, cmsis-pack and arduino targets (and the wasm / m4 test targets) on the shipped KWS
 * pipeline: one run of a temp copy with a private TINYFORGE_HOME, then each target's proof.
 * A missing tool skips its part with the reason printed; under CI=true it fails instead.
 */
const run = promisify(execFile);
const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const CLI = join(REPO, 'runner/bin/tinyforge.js');
const SCHEMA = resolve(REPO, '../shared/schemas/PACK.xsd');
const DEVICE = join(REPO, 'targets/cpp/runtime/device');

async function has(cmd: string, args: string[]): Promise<boolean> {
  return run(cmd, args).then(() => true, () => false);
}
function need(what: string, ok: boolean, reason: string): boolean {
  if (ok) return true;
  if (process.env.CI === 'true') throw new Error(`CI: ${what} is missing: ${reason}`);
  console.log(`skipping ${what} tests: ${reason}`);
  return false;
}
const wasmTc = await wasmToolchainStatus();
const armTc = await toolchainStatus();
const HAS_WASM = need('wasm', wasmTc.available, wasmTc.reason ?? '');
const HAS_ARM = need('Cortex-M', armTc.available, armTc.reason ?? '');
const HAS_XMLLINT = need('pdsc schema', (await has('xmllint', ['--version'])) && existsSync(SCHEMA), `xmllint (apt-get install libxml2-utils) or ${SCHEMA} is missing`);
const HAS_CMAKE = need('CMake pack build', await has('cmake', ['--version']), 'cmake is not installed');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const HAS_BROWSER = need('browser', !!CHROMIUM, 'chromium is not installed (apt-get install chromium)');

const home = mkdtempSync(join(tmpdir(), 'tinyforge-kws-targets-'));
const env = { ...process.env, TINYFORGE_HOME: join(home, 'state') };
const pipeline = join(home, 'kws');
const deployDir = (name: string) => join(home, 'state/deploy/kws', name);

function cli(args: string[]) {
  return run(process.execPath, [CLI, ...args], { env, maxBuffer: 1 << 26 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('KWS deployed as wasm, CMSIS-Pack and Arduino library', () => {
  beforeAll(async () => {
    cpSync(join(REPO, 'pipelines/kws'), pipeline, { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(home, 'node_modules'));
    // The Cortex-M estimate of the cpp deployment is tested elsewhere; targets whose tools are missing are left out.
    let source = readFileSync(join(pipeline, 'pipeline.ts'), 'utf8').replace("target: 'cpp', params: { name: 'kws' }", "target: 'cpp', params: { name: 'kws', estimate: 'off' }");
    if (!HAS_WASM) source = source.replace(/^\s*wasm: \{ target: 'wasm'.*\n/m, '');
    writeFileSync(join(pipeline, 'pipeline.ts'), source);
    const result = await cli(['run', pipeline]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  }, 240_000);

  test.skipIf(!HAS_WASM || !HAS_ARM)('wasm (Node) and m4 (QEMU) give the reference int8 outputs on every stored case', async () => {
    const result = await cli(['test', pipeline, '--target', 'wasm,m4', '--json']);
    const report = JSON.parse(result.stdout) as { targets: string[]; passed: number; cases: { name: string; targets: Record<string, { pass: boolean; reason?: string }> }[] };
    expect(report.targets).toEqual(['ts', 'wasm', 'm4']);
    expect(report.cases.length).toBe(32);
    const failures = report.cases.flatMap((c) => ['wasm', 'm4'].filter((t) => !c.targets[t]!.pass).map((t) => `${c.name} ${t}: ${c.targets[t]!.reason}`));
    expect(failures).toEqual([]);
    expect(result.code).toBe(0);
  }, 120_000);

  describe.skipIf(!HAS_WASM)('wasm package', () => {
    test('is ≤ 1.3× the Cortex-M4 flash of the same library', async () => {
      // Reference: arm-none-eabi text+data of an ELF whose main() calls run_classifier minus an
      // empty main(), both -Os --gc-sections. That is the library as it sits in MCU flash
      // (Thumb-2 code + weights + tables, libm included, like the .wasm's data and code
      // sections); host x86-64 objects would be a laxer bar (wider code, unwind tables).
      if (!need('wasm size ratio', HAS_ARM, armTc.reason ?? '')) return;
      const wasmBytes = readFileSync(join(deployDir('wasm'), 'model.wasm')).length;
      const lib = deployDir('cpp');
      const work = mkdtempSync(join(tmpdir(), 'tf-size-'));
      const flags = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-ffunction-sections', '-fdata-sections', '-DTF_NO_PRINTF', `-I${lib}`];
      const sources = readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => /^(tinyforge-sdk|model)\/.*\.(c|cpp)$/.test(f));
      const objects = await Promise.all(sources.map(async (rel) => {
        const obj = join(work, `${rel.replace(/[/.]/g, '_')}.o`);
        const c = rel.endsWith('.c');
        await run(c ? 'arm-none-eabi-gcc' : 'arm-none-eabi-g++', [...flags, ...(c ? ['-std=c99'] : ['-std=c++11', '-fno-exceptions', '-fno-rtti']), '-c', join(lib, rel), '-o', obj]);
        return obj;
      }));
      writeFileSync(join(work, 'with.cpp'), '#include "tinyforge-sdk/classifier/tf_run_classifier.h"\nstatic float w[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE]; volatile float sink;\nint main() { signal_t s; signal_from_buffer(w, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &s); ei_impulse_result_t r; run_classifier(&s, &r, false); sink = r.classification[0].value; return 0; }\n');
      writeFileSync(join(work, 'without.cpp'), 'volatile float sink;\nint main() { sink = 1; return 0; }\n');
      const size = async (main: string, extra: string[]) => {
        const elf = join(work, `${main}.elf`);
        await run('arm-none-eabi-g++', [...flags, '-fno-exceptions', '-fno-rtti', '--specs=nano.specs', '--specs=nosys.specs', '-Wl,--gc-sections', join(work, `${main}.cpp`), ...extra, '-lm', '-o', elf]);
        const [text, data] = (await run('arm-none-eabi-size', ['-B', '-d', elf])).stdout.trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
        return text! + data!;
      };
      const armFlash = (await size('with', objects)) - (await size('without', []));
      const ratio = wasmBytes / armFlash;
      console.log(`wasm module ${wasmBytes} B, Cortex-M4 library flash ${armFlash} B: ratio ${ratio.toFixed(3)}`);
      expect(armFlash).toBeGreaterThan(5000);
      expect(ratio).toBeLessThanOrEqual(1.3);
    }, 60_000);

    test('npm pack gives a package another project installs and runs; the browser gives the same outputs', async () => {
      const cases = (await loadTestCases(pipeline)).slice(0, 8);
      const inputs = cases.map((c) => Array.from(c.sample.values));
      // Node, straight from the bundle.
      const pkg = (await import(pathToFileURL(join(deployDir('wasm'), 'index.js')).href)) as { load(): Promise<{ classify(v: number[]): { label: string; raw: Int8Array; scores: Record<string, number>; timing: { totalMs: number } }; properties(): { labels: string[]; inputFeaturesCount: number } }> };
      const classifier = await pkg.load();
      expect(classifier.properties().labels).toEqual(['_silence_', '_unknown_', 'no', 'yes']);
      expect(classifier.properties().inputFeaturesCount).toBe(16000);
      const nodeRaw = inputs.map((v) => Array.from(classifier.classify(v).raw));
      expect(() => classifier.classify([1, 2, 3])).toThrow(/takes 16000 values/);

      // npm pack → install into a fresh project → import by package name.
      const packDir = mkdtempSync(join(tmpdir(), 'tf-npm-pack-'));
      const { stdout } = await run('npm', ['pack', deployDir('wasm'), '--pack-destination', packDir, '--json']);
      const tarball = join(packDir, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
      const consumer = join(packDir, 'consumer');
      mkdirSync(consumer);
      writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: consumer });
      writeFileSync(join(consumer, 'main.js'), `import { init, classify, properties } from 'kws-wasm';\nimport { readFileSync } from 'node:fs';\nawait init();\nconst input = JSON.parse(readFileSync(process.argv[2], 'utf8'));\nconst r = classify(input);\nconsole.log(JSON.stringify({ label: r.label, raw: Array.from(r.raw), labels: properties().labels }));\n`);
      writeFileSync(join(consumer, 'input.json'), JSON.stringify(inputs[0]));
      const installed = JSON.parse((await run(process.execPath, ['main.js', 'input.json'], { cwd: consumer })).stdout) as { raw: number[]; label: string };
      expect(installed.raw).toEqual(nodeRaw[0]);
      writeFileSync(join(consumer, 'check.ts'), `import { classify, type Classification, type Label } from 'kws-wasm';\nconst r: Classification = classify(new Float32Array(16000));\nconst l: Label = r.label;\nconst bad: Label = 'maybe';\nexport { l, bad };\n`);
      const tsc = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', 'check.ts'], { cwd: consumer }).then(() => '', (e: { stdout: string }) => e.stdout);
      expect(tsc).toMatch(/check\.ts\(4,7\).*'"maybe"' is not assignable to type 'Label'/); // the types are real: only the bad line fails

      if (!HAS_BROWSER) return;
      const server = createServer((req, res) => {
        const file = req.url === '/' ? null : join(deployDir('wasm'), (req.url ?? '').replace(/\?.*/, ''));
        if (!file) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<script type="module">import * as m from "./index.js"; window.tf = m;</script>');
        if (!existsSync(file)) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(readFileSync(file));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
        await page.waitForFunction(() => 'tf' in window);
        const browserRaw = await page.evaluate(async (windows) => {
          const tf = (window as unknown as { tf: { init(): Promise<unknown>; classify(v: number[]): { raw: Int8Array } } }).tf;
          await tf.init();
          return windows.map((v) => Array.from(tf.classify(v).raw));
        }, inputs);
        expect(errors).toEqual([]);
        expect(browserRaw).toEqual(nodeRaw);
      } finally {
        await browser.close();
        server.close();
      }
    }, 120_000);
  });

  describe.skipIf(!HAS_XMLLINT)('CMSIS-Pack', () => {
    const packDir = () => deployDir('pack');
    const unpack = () => {
      const file = readdirSync(packDir()).find((f) => f.endsWith('.pack'))!;
      expect(file).toBe('tinyforge.kws.1.0.0.pack');
      const dir = mkdtempSync(join(tmpdir(), 'tf-pack-'));
      for (const [name, data] of Object.entries(unzipSync(readFileSync(join(packDir(), file))))) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), data);
      }
      return { dir, pdsc: readFileSync(join(dir, 'tinyforge.kws.pdsc'), 'utf8') };
    };
    const xmllint = (file: string) => run('xmllint', ['--noout', '--schema', SCHEMA, file]).then(() => ({ ok: true, out: '' }), (e: { stderr: string }) => ({ ok: false, out: e.stderr }));

    test('the .pdsc in the .pack validates against PACK.xsd; damaged copies fail', async () => {
      const { dir, pdsc } = unpack();
      expect(await xmllint(join(dir, 'tinyforge.kws.pdsc'))).toEqual({ ok: true, out: '' });
      expect(pdsc).toMatch(/<release version="1\.0\.0" date="\d{4}-\d{2}-\d{2}">/);
      expect(pdsc).toMatch(/<component Cclass="Data Processing" Cgroup="tinyforge" Csub="SDK" Cversion="\d+\.\d+\.\d+"/);
      // Every listed file is in the pack, and every source in the pack is listed.
      const files = pdscFiles(pdsc).filter((f) => f.category !== 'include');
      for (const f of files) expect(existsSync(join(dir, f.name)), f.name).toBe(true);
      expect(files.filter((f) => f.category === 'sourceCpp').length).toBeGreaterThanOrEqual(5);
      const damaged: [string, string][] = [
        ['Cversion', pdsc.replace(/Cversion="[^"]+"/, 'Cversion="v1"')],
        ['category', pdsc.replace('category="sourceCpp"', 'category="cpp"')],
        ['releases', pdsc.replace(/<releases>[\s\S]*<\/releases>/, '')],
        ['vendor', pdsc.replace('<vendor>tinyforge</vendor>', '<vendor>tiny forge!</vendor>')],
      ];
      for (const [what, text] of damaged) {
        const file = join(dir, `damaged-${what}.pdsc`);
        writeFileSync(file, text);
        const result = await xmllint(file);
        expect(result.ok, what).toBe(false);
        expect(result.out).toMatch(/fails to validate/);
      }
    });

    test.skipIf(!HAS_ARM || !HAS_CMAKE)('a CMake Cortex-M4 build from only the files the .pdsc lists links', async () => {
      const { dir, pdsc } = unpack();
      const work = mkdtempSync(join(tmpdir(), 'tf-pack-build-'));
      writeFileSync(join(work, 'link.ld'), readFileSync(join(DEVICE, 'link.ld.in'), 'utf8').replace('@FLASH@', '0x00000000').replace('@RAM@', '0x20000000').replace('@RAMLEN@', '256K'));
      const { elf, sources } = await cmakeBuildFromPdsc(dir, pdsc, work, { startup: join(DEVICE, 'startup.c'), linkScript: join(work, 'link.ld') });
      expect(sources).toBeGreaterThanOrEqual(6);
      const text = Number((await run('arm-none-eabi-size', ['-B', '-d', elf])).stdout.trim().split('\n')[1]!.trim().split(/\s+/)[0]);
      expect(text).toBeGreaterThan(10_000); // the model and DSP are really in it
    }, 120_000);
  });

  describe('Arduino library', () => {
    const libDir = () => join(deployDir('arduino'), 'kws_inferencing');

    test('has the 1.5 layout, every required library.properties field, and a zip the IDE imports', () => {
      const props = Object.fromEntries(readFileSync(join(libDir(), 'library.properties'), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      for (const key of ['name', 'version', 'author', 'maintainer', 'sentence', 'paragraph', 'category', 'url', 'architectures']) expect(props[key], key).toBeTruthy();
      expect(props.name).toBe('kws_inferencing');
      expect(props.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(props.category).toBe('Data Processing');
      expect(existsSync(join(libDir(), 'src/kws_inferencing.h'))).toBe(true);
      expect(existsSync(join(libDir(), 'src/model/tf_model.cpp'))).toBe(true);
      expect(existsSync(join(libDir(), 'examples/static_buffer/static_buffer.ino'))).toBe(true);
      expect(existsSync(join(libDir(), 'examples/microphone/microphone.ino'))).toBe(true); // audio pipeline
      const zip = unzipSync(readFileSync(join(deployDir('arduino'), 'kws_inferencing.zip')));
      const names = Object.keys(zip);
      expect(names.every((n) => n.startsWith('kws_inferencing/'))).toBe(true); // one top folder
      expect(names).toContain('kws_inferencing/library.properties');
      expect(names.filter((n) => n.endsWith('.cpp') && n.includes('/src/')).length).toBeGreaterThanOrEqual(6);
    });

    test.skipIf(!HAS_ARM)('every example (and the static buffer with a window pasted in) builds for the Nano 33 BLE (Cortex-M4F)', async () => {
      const work = mkdtempSync(join(tmpdir(), 'tf-arduino-'));
      const lib = join(work, 'kws_inferencing');
      cpSync(libDir(), lib, { recursive: true });
      // A motion pipeline's example too, against the same library (it only uses the API macros).
      mkdirSync(join(lib, 'examples/accelerometer'));
      writeFileSync(join(lib, 'examples/accelerometer/accelerometer.ino'), accelerometerIno('kws_inferencing.h', 3));
      // The static buffer as a user fills it: one test case's raw values pasted in.
      const [first] = await loadTestCases(pipeline);
      mkdirSync(join(lib, 'examples/pasted'));
      writeFileSync(join(lib, 'examples/pasted/pasted.ino'), readFileSync(join(lib, 'examples/static_buffer/static_buffer.ino'), 'utf8').replace('// paste raw values here', Array.from(first!.sample.values).join(', ')));
      const built = await buildArduinoExamples(lib, join(work, 'build'));
      expect([...built.keys()].sort()).toEqual(['accelerometer', 'microphone', 'pasted', 'static_buffer']);
      // With real input the whole library (DSP + network) is linked in.
      expect(built.get('pasted')!.text - built.get('static_buffer')!.text).toBeGreaterThan(10_000);
      expect(built.get('microphone')!.text).toBeGreaterThan(10_000);
    }, 120_000);
  });
});
