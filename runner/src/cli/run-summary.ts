import { relative } from 'node:path';
import type { FileSetReader, JsonObject } from '@tinyforge/sdk';
import type { RunManifest } from '../exec/run-pipeline.js';
import { findStateRoot, openStore } from '../store/open-store.js';

/**
 * The closing lines of a run for a person: what the models scored and, per deployment, where the
 * library went and what it costs on a Cortex-M4. Read from the artifacts, never recomputed.
 */
export async function runSummaryLines(manifest: RunManifest, pipelineDir: string): Promise<string[]> {
  const store = await openStore(findStateRoot(pipelineDir));
  const lines: string[] = [];
  for (const b of manifest.blocks) {
    if (b.status === 'failed' || b.status === 'skipped') continue;
    try {
      if (b.outputs['model']) {
        const model = (await store.artifacts.reader(b.outputs['model'])) as FileSetReader;
        const m = model.meta as JsonObject;
        if (m['testAccuracyInt8'] !== undefined || m['testAccuracyFloat32'] !== undefined) {
          lines.push(`${b.name}: test accuracy float32 ${fmtPct(m['testAccuracyFloat32'])}, int8 ${fmtPct(m['testAccuracyInt8'])}`);
          const metrics = model.files.some((f) => f.name === 'metrics.json') ? await model.readJson<JsonObject>('metrics.json') : undefined;
          const confusion = ((metrics?.['int8'] ?? metrics?.['float32']) as JsonObject | undefined)?.['test'] as { confusion?: number[][] } | undefined;
          const labels = (metrics?.['labels'] as string[] | undefined) ?? [];
          if (confusion?.confusion && labels.length) lines.push(...confusionLines(labels, confusion.confusion));
        } else if (m['testAuc'] !== undefined) lines.push(`${b.name}: anomaly test ROC AUC ${String(m['testAuc'])}`);
      }
      if (b.outputs['bundle'] && b.deployedTo) {
        const bundle = (await store.artifacts.reader(b.outputs['bundle'])) as FileSetReader;
        let cost = '';
        if (bundle.files.some((f) => f.name === 'estimate.json')) {
          const est = await bundle.readJson<{ cores?: { core: string; flashBytes?: number; ramBytes?: number; libraryRamBytes?: number; dspInstructions?: number; nnInstructions?: number }[] }>('estimate.json');
          const m4 = est.cores?.find((c) => c.core === 'cortex-m4');
          // RAM: static + peak stack of the whole call when measured, else static only.
          const ram = m4?.libraryRamBytes !== undefined ? `RAM ${kb(m4.libraryRamBytes)} (static + stack)` : `static RAM ${kb(m4?.ramBytes)}`;
          if (m4?.flashBytes) cost = ` — Cortex-M4: flash ${kb(m4.flashBytes)}, ${ram}, ${m4.dspInstructions ? `DSP ${m4.dspInstructions.toLocaleString('en')} + ` : ''}NN ${m4.nnInstructions?.toLocaleString('en') ?? '?'} instructions`;
        }
        lines.push(`${b.name}: ${relative(process.cwd(), b.deployedTo) || b.deployedTo}${cost}`);
      }
    } catch {
      // a summary never fails a run
    }
  }
  return lines;
}

function fmtPct(v: unknown): string {
  return typeof v === 'number' ? `${v.toFixed(1)} %` : '—';
}

function kb(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / 1024).toFixed(1)} KB`;
}

function confusionLines(labels: string[], confusion: number[][]): string[] {
  const corner = 'test: actual \\ predicted';
  const first = Math.max(corner.length, ...labels.map((l) => l.length)) + 2;
  const width = Math.max(5, ...labels.map((l) => l.length));
  const head = `  ${corner.padEnd(first)}${labels.map((l) => l.padStart(width)).join(' ')}`;
  return [head, ...confusion.map((row, i) => `  ${labels[i]!.padEnd(first)}${row.map((v) => String(v).padStart(width)).join(' ')}`)];
}
