import { chown } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { Logger } from '@tinyforge/sdk';
import { HOST_LABEL, OWNER_LABEL, PID_LABEL, connectDocker } from './engine.js';

export interface ContainerMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerJob {
  image: string;
  args: string[];
  /** Overrides the image's entrypoint when given. */
  entrypoint?: string[];
  env?: Record<string, string>;
  mounts: ContainerMount[];
  timeoutMs: number;
  memoryMb: number;
  cpus: number;
  signal: AbortSignal;
  log: Logger;
  /** Name for logs and labels. */
  name: string;
}

export interface ContainerOutcome {
  exitCode: number;
  timedOut: boolean;
  oomKilled: boolean;
  /** The last lines of stdout and stderr together, for error messages. */
  lastLines: string[];
  /** Where the time went (ms): create, start, run (start → exit), remove (set once `removed` settles). */
  timing: { create: number; start: number; run: number; remove: number };
  /** Settles when the container is gone (removal runs in the background). */
  removed: Promise<void>;
}

const KEPT_LINES = 20;
/** What the container sees as its user when the runner runs as root: nobody. */
const UNPRIVILEGED = { uid: 65534, gid: 65534 };

/** The user the container runs as: the runner's own, or `nobody` when the runner is root. */
export function containerUser(): { uid: number; gid: number } {
  const uid = process.getuid?.() ?? UNPRIVILEGED.uid;
  const gid = process.getgid?.() ?? UNPRIVILEGED.gid;
  return uid === 0 ? UNPRIVILEGED : { uid, gid };
}

/** Makes a host directory writable by the container user. */
export async function grantWrite(dir: string): Promise<void> {
  const user = containerUser();
  if (process.getuid?.() === 0) await chown(dir, user.uid, user.gid);
}

/** What every container the runner creates shares: user, limits, read-only root, tmpfs, labels. */
export interface HermeticSettings {
  image: string;
  args?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  mounts?: ContainerMount[];
  memoryMb: number;
  cpus: number;
  name: string;
  /** A Docker network to join; none (no network at all) when absent. */
  network?: string;
}

/** Create options for a hermetic container (see runContainer). */
export function hermeticCreateOptions(job: HermeticSettings): Dockerode.ContainerCreateOptions {
  const user = containerUser();
  return {
    Image: job.image,
    ...(job.args ? { Cmd: job.args } : {}),
    ...(job.entrypoint ? { Entrypoint: job.entrypoint } : {}),
    Env: Object.entries({ HOME: '/tmp', ...job.env }).map(([k, v]) => `${k}=${v}`),
    User: `${user.uid}:${user.gid}`,
    NetworkDisabled: !job.network,
    Tty: false,
    AttachStdout: true,
    AttachStderr: true,
    Labels: ownerLabels({ 'dev.tinyforge.block': job.name }),
    HostConfig: {
      Binds: (job.mounts ?? []).map((m) => `${m.hostPath}:${m.containerPath}:${m.readOnly ? 'ro' : 'rw'}`),
      NetworkMode: job.network ?? 'none',
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=256m,mode=1777' },
      Memory: job.memoryMb * 1024 * 1024,
      MemorySwap: job.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(job.cpus * 1e9),
      PidsLimit: 512,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      // The runner removes containers itself: with AutoRemove the exit code and logs can vanish first.
      AutoRemove: false,
    },
  };
}

/** Labels that let a later run find and remove what a dead runner left behind. */
export function ownerLabels(extra: Record<string, string> = {}): Record<string, string> {
  return { [OWNER_LABEL]: 'tinyforge', [PID_LABEL]: String(process.pid), [HOST_LABEL]: hostname(), ...extra };
}

/**
 * Runs one container, hermetically: no network, read-only root filesystem, /tmp a tmpfs, the
 * given mounts only, a non-root user without capabilities, memory/CPU/process limits and a
 * timeout. Order: create → wait(next-exit) → attach → start → wait → remove. The container is
 * removed whatever happens: exit, crash, timeout or abort. The removal runs in the background
 * (overlapping whatever the caller does next); `outcome.removed` and `settleRemovals()` wait for it.
 */
export async function runContainer(job: ContainerJob): Promise<ContainerOutcome> {
  job.signal.throwIfAborted();
  const docker = await connectDocker();
  const t0 = performance.now();
  const container = await docker.createContainer(hermeticCreateOptions(job));
  const timing = { create: performance.now() - t0, start: 0, run: 0, remove: 0 };
  const lines = new LineCollector(job.log);
  let deadline: Deadline | undefined;
  const kill = () => container.kill({ signal: 'SIGKILL' }).catch(() => {});
  const onAbort = () => void kill();
  let removed: Promise<void> | undefined;
  try {
    // Registered before start: a plain wait() on a created container returns at once with 0.
    const exited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    exited.catch(() => {});
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const streamEnded = endOf(stream);
    docker.modem.demuxStream(stream, lines.writable('out'), lines.writable('err'));
    job.signal.addEventListener('abort', onAbort, { once: true });
    const t1 = performance.now();
    await container.start();
    const t2 = performance.now();
    timing.start = t2 - t1;
    deadline = armDeadline(job, kill);
    const status = await exitStatus(container, exited, streamEnded);
    timing.run = performance.now() - t2;
    await streamEnded;
    lines.flush();
    // Only a failed run can have been an out-of-memory kill; spare the inspect otherwise.
    const state = status !== 0 ? (await container.inspect().catch(() => undefined))?.State : undefined;
    removed = removeInBackground(container, job.log, timing);
    return { exitCode: status, timedOut: deadline.timedOut(), oomKilled: state?.OOMKilled ?? false, lastLines: lines.last, timing, removed };
  } finally {
    deadline?.clear();
    job.signal.removeEventListener('abort', onAbort);
    removed ??= removeInBackground(container, job.log, timing);
  }
}

const pendingRemovals = new Set<Promise<void>>();

/** Starts removing a container; the promise is tracked so settleRemovals() can wait for it. */
export function removeInBackground(container: Dockerode.Container, log: Logger, timing?: { remove: number }): Promise<void> {
  const t = performance.now();
  const removal: Promise<void> = removeContainer(container, log).finally(() => {
    if (timing) timing.remove = performance.now() - t;
    pendingRemovals.delete(removal);
  });
  pendingRemovals.add(removal);
  return removal;
}

/**
 * Waits until every container removal started so far has finished. Container blocks call it
 * before they return, so no block ends (or the process exits) with its containers still there.
 */
export async function settleRemovals(): Promise<void> {
  while (pendingRemovals.size > 0) await Promise.all([...pendingRemovals]);
}

/** Resolves when an attach stream ends, closes or fails. */
export function endOf(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise<void>((done) => {
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', () => done());
  });
}

/**
 * The exit code from wait(next-exit). Should the wait have been registered only after a very
 * short-lived container had exited already, it would never answer: once the output stream has
 * ended, inspect gives the code instead.
 */
export async function exitStatus(container: Dockerode.Container, exited: Promise<{ StatusCode: number }>, streamEnded: Promise<void>): Promise<number> {
  let settled = false;
  const fallback = streamEnded.then(async () => {
    await sleep(2000);
    while (!settled) {
      const state = (await container.inspect()).State;
      if (!state.Running) return { StatusCode: state.ExitCode };
      await sleep(200);
    }
    return new Promise<never>(() => {});
  });
  fallback.catch(() => {});
  try {
    return (await Promise.race([exited, fallback])).StatusCode;
  } finally {
    settled = true;
  }
}

export interface Deadline {
  timedOut(): boolean;
  clear(): void;
}

/**
 * Call right after a container starts: kills it at the job's time limit (saying so), and at
 * once if the job was cancelled while it was starting (the abort listener may have run too early).
 */
export function armDeadline(job: { timeoutMs: number; signal: AbortSignal; log: Logger }, kill: () => unknown): Deadline {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    job.log.warn(`timed out after ${job.timeoutMs / 1000} s: killing the container`);
    void kill();
  }, job.timeoutMs);
  if (job.signal.aborted) void kill();
  return { timedOut: () => timedOut, clear: () => clearTimeout(timer) };
}

/** A timer that does not keep the process alive. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

export async function removeContainer(container: Dockerode.Container, log: Logger): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await container.remove({ force: true });
      return;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) return;
      if (attempt === 2) log.warn(`could not remove container ${container.id.slice(0, 12)}: ${(error as Error).message}`);
      await sleep(200);
    }
  }
}

/** Splits the container's output into lines: each goes to the block log; the last ones are kept. */
export class LineCollector {
  readonly last: string[] = [];
  private partial: Record<'out' | 'err', string> = { out: '', err: '' };

  constructor(private readonly log: Logger) {}

  writable(which: 'out' | 'err'): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        const text = this.partial[which] + chunk.toString('utf8');
        const parts = text.split('\n');
        this.partial[which] = parts.pop()!;
        for (const line of parts) this.emit(which, line);
        done();
      },
    });
  }

  flush(): void {
    for (const which of ['out', 'err'] as const) {
      if (this.partial[which]) this.emit(which, this.partial[which]);
      this.partial[which] = '';
    }
  }

  private emit(which: 'out' | 'err', raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (which === 'err') this.log.warn(line);
    else this.log.info(line);
    this.last.push(line);
    if (this.last.length > KEPT_LINES) this.last.shift();
  }
}
