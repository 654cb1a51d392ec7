import type { Listr } from 'listr2';
import type { PlannedBlock } from '../plan/plan-pipeline.js';
import type { BlockEvent } from '../exec/exec-env.js';
import type { PipelineEvent } from '../exec/run-pipeline.js';
import { isTinyforgeError, type TinyforgeError } from '@tinyforge/sdk';

/** The part of listr2's task wrapper we use. */
interface Task {
  title: string;
  output: string;
  skip(message?: string): void;
}

interface Slot {
  task?: Task;
  settle?: (result: { kind: 'done' | 'failed' | 'skipped'; title: string; message?: string }) => void;
  result?: { kind: 'done' | 'failed' | 'skipped'; title: string; message?: string };
}

/**
 * The listr2 task tree: one task per block, showing cached / running with progress / done with
 * time. listr2 falls back to plain line output when stdout is not a terminal.
 */
export class TaskTree {
  private readonly slots = new Map<string, Slot>();
  /** Plain (non-terminal) output gets a progress line at most this often per block. */
  private readonly progressIntervalMs = process.stdout.isTTY ? 0 : 2000;
  private readonly lastProgress = new Map<string, number>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly listr: Listr<any, any, any>;

  /** listr2 is imported only when a tree is shown (`--json` runs skip it). */
  static async create(blocks: readonly PlannedBlock[], silent: boolean): Promise<TaskTree> {
    const { Listr: ListrClass } = await import('listr2');
    return new TaskTree(blocks, silent, ListrClass);
  }

  private constructor(blocks: readonly PlannedBlock[], silent: boolean, ListrClass: typeof Listr) {
    for (const b of blocks) this.slots.set(b.name, {});
    this.listr = new ListrClass(
      blocks.map((b) => ({
        title: `${b.name} (${b.block.id}@${b.block.version})`,
        task: async (_ctx: unknown, task: Task) => {
          const slot = this.slots.get(b.name)!;
          slot.task = task;
          const result = slot.result ?? (await new Promise<NonNullable<Slot['result']>>((resolve) => (slot.settle = resolve)));
          task.title = result.title;
          if (result.kind === 'failed') throw new Error(result.message ?? 'failed');
          if (result.kind === 'skipped') task.skip(`${result.title} (${result.message ?? ''})`);
        },
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        renderer: silent ? 'silent' : 'default',
        fallbackRenderer: silent ? 'silent' : 'simple',
        rendererOptions: { collapseErrors: false },
      },
    );
  }

  start(): Promise<unknown> {
    return this.listr.run().catch(() => undefined);
  }

  onEvent = (event: BlockEvent | PipelineEvent): void => {
    if (event.type === 'restart') return;
    const slot = this.slots.get(event.block);
    if (!slot) return;
    const finish = (result: NonNullable<Slot['result']>) => {
      slot.result = result;
      slot.settle?.(result);
    };
    switch (event.type) {
      case 'progress': {
        const now = Date.now();
        if (now - (this.lastProgress.get(event.block) ?? 0) < this.progressIntervalMs && event.done !== event.total) break;
        this.lastProgress.set(event.block, now);
        if (slot.task) slot.task.output = event.total ? `${event.done}/${event.total}${event.note ? ` ${event.note}` : ''}` : `${event.done}${event.note ? ` ${event.note}` : ''}`;
        break;
      }
      case 'log':
        if (slot.task && event.level !== 'debug') slot.task.output = event.message;
        break;
      case 'done': {
        const o = event.outcome;
        const samples = o.counters.samplesComputed + o.counters.samplesCached;
        const detail = o.status === 'cached' ? 'cached' : `ran in ${formatMs(o.ms)}${samples > 0 ? `, ${o.counters.samplesComputed} computed / ${o.counters.samplesCached} cached samples` : ''}`;
        finish({ kind: 'done', title: `${event.block}: ${detail}` });
        break;
      }
      case 'failed': {
        const aborted = (event.error as Error)?.name === 'AbortError';
        const message = aborted ? 'cancelled' : isTinyforgeError(event.error) ? (event.error as TinyforgeError).format() : String((event.error as Error)?.message ?? event.error);
        finish({ kind: 'failed', title: `${event.block}: failed`, message: message.split('\n')[0] });
        break;
      }
      case 'skipped':
        finish({ kind: 'skipped', title: `${event.block}: not run`, message: event.reason });
        break;
      default:
        break;
    }
  };
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
