/**
 * Cache benchmark: a 5-block pipeline over 10,000 small samples.
 * Prints the wall time (Node start-up included) of a fully cached re-run and of `status` with a
 * warm stat cache. Peer: DVC's no-op `repro` — not installable here (no PyPI), so not measured.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, createSliceProject, writePipeline } from '../support/slice-project.js';

const SAMPLES = 10_000;
const dir = createSliceProject({ samplesPerLabel: SAMPLES / 2 });
writePipeline(dir, {
  name: 'bench5',
  blocks: {
    ingest: { block: 'slice/csv@1' },
    scale1: { block: 'slice/scale@1', params: { factor: 2 }, inputs: { samples: 'ingest' } },
    scale2: { block: 'slice/scale@1', params: { offset: 1 }, inputs: { samples: 'scale1' } },
    scale3: { block: 'slice/scale@1', params: { factor: 0.5 }, inputs: { samples: 'scale2' } },
    summary: { block: 'slice/summary@1', inputs: { samples: 'scale3' } },
  },
});

function wall(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  execFileSync(process.execPath, args[0] === '-e' ? args : [CLI, ...args], { stdio: 'ignore', env });
  return performance.now() - t0;
}
// NODE_EXTRA_CA_CERTS makes every Node process parse that bundle at start-up (~90 ms for the
// 144 certificates of this machine's /etc/ssl/certs); machines without it start faster.
const withoutExtraCerts = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const cold = wall(['run', dir]);
const cached = median([0, 1, 2, 3, 4].map(() => wall(['run', dir])));
const status = median([0, 1, 2, 3, 4].map(() => wall(['status', dir])));
const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
const statusNoCerts = extraCerts ? median([0, 1, 2, 3, 4].map(() => wall(['status', dir], withoutExtraCerts()))) : status;
const nodeStart = median([0, 1, 2, 3, 4].map(() => wall(['-e', '0'])));
const nodeStartNoCerts = extraCerts ? median([0, 1, 2, 3, 4].map(() => wall(['-e', '0'], withoutExtraCerts()))) : nodeStart;
writeFileSync(join(dir, 'data/idle/idle.99999.csv'), 'x,y,z\n1,2,3\n');
const oneAdded = wall(['run', dir]);

console.log(`cache.cold_run_10k_samples_5_blocks: ${(cold / 1000).toFixed(2)} s (no goal)`);
console.log(`cache.cached_rerun_10k_samples_5_blocks: ${(cached / 1000).toFixed(3)} s (goal ≤ 1.0 s incl. Node start-up; peer DVC no-op repro: not measured, PyPI unreachable)`);
console.log(`cache.status_warm_stat_cache_10k_files: ${(status / 1000).toFixed(3)} s (goal ≤ 0.5 s; bare \`node -e 0\` here: ${(nodeStart / 1000).toFixed(3)} s)`);
if (extraCerts) {
  console.log(`cache.status_warm_stat_cache_10k_files_without_NODE_EXTRA_CA_CERTS: ${(statusNoCerts / 1000).toFixed(3)} s (this machine sets NODE_EXTRA_CA_CERTS=${extraCerts}; bare \`node -e 0\` without it: ${(nodeStartNoCerts / 1000).toFixed(3)} s)`);
}
console.log(`cache.rerun_after_adding_1_sample_to_10k: ${(oneAdded / 1000).toFixed(3)} s (no goal)`);
