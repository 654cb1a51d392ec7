/**
 * `npm run bench [-- <name> …]`: runs every benchmark in test/bench (or the named ones) one after
 * the other, passes their output through, and ends with one table of every figure they printed:
 * lines of the form `name: value unit (goal …; peer …)`.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && !f.includes('worker'))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .filter((name) => readdirSync(here).includes(`${name}.ts`) && !isHelperModule(name));

// Modules imported by other benches (not runnable on their own).
function isHelperModule(name: string): boolean {
  return name === 'dsp-kws';
}

interface Figure {
  bench: string;
  name: string;
  value: string;
  note: string;
}
const figures: Figure[] = [];
const LINE = /^([A-Za-z0-9_.-]+): (.+?)(?: \((.*)\))?$/;

for (const bench of benches) {
  process.stdout.write(`\n== ${bench} ==\n`);
  const started = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, `${bench}.ts`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = LINE.exec(line.trim());
        if (m && /\d/.test(m[2]!)) figures.push({ bench, name: m[1]!, value: m[2]!, note: m[3] ?? '' });
      }
    });
    child.on('close', (c) => resolve(c ?? 1));
  });
  process.stdout.write(`== ${bench}: ${code === 0 ? 'done' : `exit ${code}`} in ${((Date.now() - started) / 1000).toFixed(1)} s ==\n`);
}

const width = (key: keyof Figure) => Math.min(60, Math.max(key.length, ...figures.map((f) => f[key].length)));
const [wn, wv] = [width('name'), width('value')];
process.stdout.write(`\n${'figure'.padEnd(wn)}  ${'value'.padEnd(wv)}  goal / peer\n${'-'.repeat(wn + wv + 16)}\n`);
for (const f of figures) process.stdout.write(`${f.name.padEnd(wn)}  ${f.value.padEnd(wv)}  ${f.note}\n`);
