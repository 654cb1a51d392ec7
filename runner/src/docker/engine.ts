import { hostname } from 'node:os';
import type Dockerode from 'dockerode';
import { TinyforgeError } from '@tinyforge/sdk';

/** Labels put on every container the runner creates, so leftovers can be found and removed. */
export const OWNER_LABEL = 'dev.tinyforge.owner';
export const PID_LABEL = 'dev.tinyforge.pid';
export const HOST_LABEL = 'dev.tinyforge.host';

let connection: Promise<Dockerode> | undefined;

/** Where dockerode will connect: DOCKER_HOST (unix://, tcp://, ssh://) or the default socket. */
export function engineAddress(): string {
  return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/**
 * The Docker engine, connected and checked once per process. dockerode is imported here only,
 * so a pipeline without container blocks never loads it or touches the engine.
 */
export function connectDocker(): Promise<Dockerode> {
  connection ??= (async () => {
    const { default: Docker } = await import('dockerode');
    const docker = new Docker(); // reads DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH
    try {
      await withTimeout(docker.ping(), 5000);
    } catch (error) {
      throw noEngineError(error);
    }
    await removeOrphans(docker);
    return docker;
  })();
  connection.catch(() => (connection = undefined));
  return connection;
}

export function noEngineError(cause: unknown): TinyforgeError {
  const why = (cause as { code?: string; message?: string })?.code ?? (cause as Error)?.message ?? String(cause);
  return new TinyforgeError({
    code: 'DOCKER',
    message: `this block runs in Docker, but no Docker engine is reachable at ${engineAddress()} (${why}): start one (sudo systemctl start docker, or sudo dockerd &) or set DOCKER_HOST=tcp://<host>:2375`,
    cause,
  });
}

/**
 * Containers (and DSP networks) this host's runners created whose runner process is gone
 * (killed with -9, or a second Ctrl-C): removed, so nothing is left behind for long.
 */
async function removeOrphans(docker: Dockerode): Promise<void> {
  const filters = { label: [`${OWNER_LABEL}=tinyforge`, `${HOST_LABEL}=${hostname()}`] };
  const orphaned = (labels: Record<string, string> | undefined) => {
    const pid = Number(labels?.[PID_LABEL]);
    return pid !== process.pid && !isAlive(pid);
  };
  const containers = await docker.listContainers({ all: true, filters }).catch(() => []);
  for (const info of containers) {
    if (orphaned(info.Labels)) await docker.getContainer(info.Id).remove({ force: true }).catch(() => {});
  }
  const networks = await docker.listNetworks({ filters }).catch(() => []);
  for (const info of networks) {
    if (orphaned(info.Labels)) await docker.getNetwork(info.Id).remove().catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
