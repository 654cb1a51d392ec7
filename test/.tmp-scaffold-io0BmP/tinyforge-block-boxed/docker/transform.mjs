// Edge Impulse transformation block, directory mode: reads info.labels and the sample JSON
// files from --in-directory, writes the transformed ones to --out-directory.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const args = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const key = argv[i].replace(/^--/, '');
  if (argv[i + 1] === undefined || argv[i + 1].startsWith('--')) args[key] = true;
  else args[key] = argv[++i];
}
const inDir = args['in-directory'];
const outDir = args['out-directory'];
const gain = Number(args.gain ?? 1);
if (!inDir || !outDir || !Number.isFinite(gain)) {
  console.error('usage: transform.mjs --in-directory <dir> --out-directory <dir> [--gain <number>]');
  process.exit(2);
}

const index = JSON.parse(readFileSync(join(inDir, 'info.labels'), 'utf8'));
for (const f of index.files) {
  const doc = JSON.parse(readFileSync(join(inDir, f.path), 'utf8'));
  doc.payload.values = doc.payload.values.map((row) => (Array.isArray(row) ? row.map((v) => v * gain) : row * gain));
  mkdirSync(dirname(join(outDir, f.path)), { recursive: true });
  writeFileSync(join(outDir, f.path), JSON.stringify(doc));
}
copyFileSync(join(inDir, 'info.labels'), join(outDir, 'info.labels'));
console.log(`scaled ${index.files.length} samples by ${gain}`);
