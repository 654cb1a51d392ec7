import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type Dockerode from 'dockerode';
import { TinyforgeError, type Logger } from '@tinyforge/sdk';
import { connectDocker, engineAddress } from './engine.js';
import { HttpClient } from './http-json.js';
import { LineCollector, armDeadline, endOf, exitStatus, hermeticCreateOptions, ownerLabels, removeContainer, type Deadline } from './run-container.js';

export interface ServiceJob {
  image: string;
  /** The TCP port the service listens on inside the container. */
  port: number;
  env?: Record<string, string>;
  /** The whole life of the service: it is killed after this long. */
  timeoutMs: number;
  /** How long the port may take to answer once the container runs. */
  readyTimeoutMs: number;
  memoryMb: number;
  cpus: number;
  signal: AbortSignal;
  log: Logger;
  name: string;
}

export interface RunningService {
  /** Where the runner reaches the service: the container's address on its private network. */
  host: string;
  port: number;
  /** Keep-alive HTTP client for the service; closed by stop(). */
  http: HttpClient;
  /** Set once the container has exited (crash, kill, timeout): its exit code. */
  exitCode(): number | undefined;
  timedOut(): boolean;
  lastLines(): string[];
  /** Kills the container and removes it and its network; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running container (a server) on its own network, created `Internal: true`:
 * the bridge has no route out of the host, so the container reaches no other machine. The
 * runner talks to it at its address on that bridge, which the host has an interface on: this
 * needs the engine on this machine (a DOCKER_HOST on another machine cannot be reached this way).
 * Same hermetic settings as runContainer otherwise (user, limits, read-only root, tmpfs).
 * Resolves once the port answers an HTTP GET /; the container and the network are removed
 * on stop(), on any failure here, on timeout (killed) and on abort.
 */
export async function startService(job: ServiceJob): Promise<RunningService> {
  job.signal.throwIfAborted();
  const docker = await connectDocker();
  const networkName = `tinyforge-${job.name.replace(/[^a-zA-Z0-9_.-]+/g, '-').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
  const network = await docker.createNetwork({ Name: networkName, Driver: 'bridge', Internal: true, CheckDuplicate: true, Labels: ownerLabels({ 'dev.tinyforge.block': job.name }) });
  let container: Dockerode.Container | undefined;
  let exited: number | undefined;
  let deadline: Deadline | undefined;
  let stopping: Promise<void> | undefined;
  let http: HttpClient | undefined;
  const lines = new LineCollector(job.log);
  const kill = () => container?.kill({ signal: 'SIGKILL' }).catch(() => {});
  const onAbort = () => void kill();
  const stop = () =>
    (stopping ??= (async () => {
      deadline?.clear();
      job.signal.removeEventListener('abort', onAbort);
      http?.close();
      if (container) await removeContainer(container, job.log);
      await removeNetwork(network, job.log);
    })());

  try {
    container = await docker.createContainer(hermeticCreateOptions({ ...job, network: networkName }));
    const waiting = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    waiting.catch(() => {});
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const streamEnded = endOf(stream);
    docker.modem.demuxStream(stream, lines.writable('out'), lines.writable('err'));
    const running = container;
    void exitStatus(running, waiting, streamEnded)
      .then(async (code) => {
        await streamEnded;
        lines.flush();
        exited = code;
      })
      .catch(() => {});
    job.signal.addEventListener('abort', onAbort, { once: true });
    await container.start();
    deadline = armDeadline(job, kill);
    const info = await container.inspect();
    const host = info.NetworkSettings.Networks[networkName]?.IPAddress;
    if (!host) throw new TinyforgeError({ code: 'DOCKER', message: `the container got no address on network ${networkName}` });
    await checkBridgeIsLocal(network, networkName);
    http = new HttpClient(host, job.port);
    const service: RunningService = { host, port: job.port, http, exitCode: () => exited, timedOut: () => deadline?.timedOut() ?? false, lastLines: () => lines.last, stop };
    await waitUntilAnswering(service, job);
    return service;
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The runner reaches the server through the host's interface on the network's bridge (its
 * gateway address). An engine on another machine (or rootless, in its own namespace) has that
 * bridge elsewhere: say so at once instead of timing out.
 */
async function checkBridgeIsLocal(network: Dockerode.Network, name: string): Promise<void> {
  const info = (await network.inspect()) as { IPAM?: { Config?: { Gateway?: string }[] } };
  const gateways = (info.IPAM?.Config ?? []).map((c) => c.Gateway).filter((g): g is string => !!g);
  const local = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)));
  if (gateways.length > 0 && !gateways.some((g) => local.has(g))) {
    throw new TinyforgeError({
      code: 'DOCKER',
      message: `DSP container blocks need the Docker engine on this machine: the runner reaches the block's server over its private network ${name} (gateway ${gateways.join(', ')}), which this machine has no interface on (engine at ${engineAddress()})`,
    });
  }
}

/** Polls GET / until any HTTP answer comes; fails when the container exits first or time runs out. */
async function waitUntilAnswering(service: RunningService, job: ServiceJob): Promise<void> {
  const deadline = performance.now() + job.readyTimeoutMs;
  let last = '';
  for (let delay = 20; ; delay = Math.min(delay * 1.5, 250)) {
    job.signal.throwIfAborted();
    try {
      await service.http.send('GET', '/', { signal: job.signal, timeoutMs: 2000 });
      return;
    } catch (error) {
      job.signal.throwIfAborted();
      last = describe(error);
    }
    // Let a dying container's exit be seen before the next try.
    await new Promise((r) => setTimeout(r, delay));
    if (service.exitCode() !== undefined || service.timedOut()) throw notStarted(service, job, service.timedOut() ? `it timed out after ${job.timeoutMs / 1000} s and was killed` : `it exited with code ${service.exitCode()}`);
    if (performance.now() > deadline) {
      throw notStarted(service, job, `nothing answered at ${service.host}:${service.port} within ${job.readyTimeoutMs / 1000} s (last: ${last}); the runner reaches the container over its Docker network's bridge on this machine, so the engine must run here`);
    }
  }
}

function notStarted(service: RunningService, job: ServiceJob, why: string): TinyforgeError {
  const tail = service.lastLines().length ? `; last output:\n${service.lastLines().slice(-10).map((l) => `  | ${l}`).join('\n')}` : '';
  return new TinyforgeError({ code: 'BLOCK_FAILED', message: `the container (${job.image.slice(7, 19)}) did not start serving on port ${job.port}: ${why}${tail}` });
}

function describe(error: unknown): string {
  return (error as { code?: string })?.code ?? (error as Error)?.message ?? String(error);
}

async function removeNetwork(network: Dockerode.Network, log: Logger): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await network.remove();
      return;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      // 403 "has active endpoints" while the engine finishes removing the container.
      if (attempt === 4) log.warn(`could not remove network ${network.id.slice(0, 12)}: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
