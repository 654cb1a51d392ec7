/**
 * A Docker engine and the base images the Docker tests build on, made from this machine's own
 * files (no registry): `tinyforge-test/node:1` (the host's node + the libraries it links) and
 * `tinyforge-test/python-numpy:1` (Debian's python3.11, its stdlib and python3-numpy + their
 * libraries). Starts `dockerd` when none answers and this process may (root, dockerd installed).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export const NODE_IMAGE = 'tinyforge-test/node:1';
export const PYTHON_IMAGE = 'tinyforge-test/python-numpy:1';
export const IN_CI = process.env.CI === 'true';

export interface Engine {
  ok: boolean;
  /** Why the Docker tests cannot run, when !ok. */
  reason: string;
  docker: Docker;
}

let engine: Promise<Engine> | undefined;

/** Connects to DOCKER_HOST or the default socket; starts dockerd (≈1 s here) when needed and possible. */
export function dockerEngine(): Promise<Engine> {
  engine ??= (async () => {
    const docker = new Docker();
    if (await answers(docker)) return { ok: true, reason: '', docker };
    if (process.env.DOCKER_HOST) return { ok: false, reason: `no Docker engine answers at DOCKER_HOST=${process.env.DOCKER_HOST}`, docker };
    const dockerd = which('dockerd');
    if (!dockerd) return { ok: false, reason: 'no Docker engine is running and dockerd is not installed (apt-get install docker.io)', docker };
    if (process.getuid?.() !== 0) return { ok: false, reason: 'no Docker engine is running and only root can start dockerd here', docker };
    const log = openSync(join(tmpdir(), 'tinyforge-dockerd.log'), 'a');
    const child = spawn(dockerd, [], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    for (let i = 0; i < 150; i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (await answers(docker)) return { ok: true, reason: '', docker };
    }
    return { ok: false, reason: `started dockerd (pid ${child.pid}) but it did not answer within 30 s; see ${join(tmpdir(), 'tinyforge-dockerd.log')}`, docker };
  })();
  return engine;
}

async function answers(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

/** Every container in the engine, running or not (`docker ps -a`). */
export async function containerCount(docker: Docker): Promise<number> {
  return (await docker.listContainers({ all: true })).length;
}

/** Imports a rootfs (paths on this machine, libraries they link included) as an image, once. */
async function importRootfs(docker: Docker, tag: string, paths: string[], excludes: string[], changes: string[]): Promise<void> {
  try {
    await docker.getImage(tag).inspect();
    return;
  } catch {
    // not there yet
  }
  const libs = new Set<string>();
  for (const file of elfFiles(paths)) {
    let out = '';
    try {
      out = execFileSync('ldd', [file], { encoding: 'utf8' });
    } catch {
      continue; // not dynamic
    }
    for (const m of out.matchAll(/(\/[^\s)]+)/g)) if (existsSync(m[1]!)) libs.add(m[1]!);
  }
  const work = mkdtempSync(join(tmpdir(), 'tinyforge-rootfs-'));
  const tar = join(work, 'rootfs.tar');
  const members = [...paths, ...libs].map((p) => p.replace(/^\//, ''));
  execFileSync('tar', ['-c', '--dereference', '-f', tar, '-C', '/', ...excludes.map((e) => `--exclude=${e}`), ...members]);
  try {
    const stream = await docker.importImage(createReadStream(tar), { repo: tag.split(':')[0], tag: tag.split(':')[1], changes } as never);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = err ?? events.find((e) => e.error);
        if (failed) reject(failed instanceof Error ? failed : new Error(failed.error));
        else resolve();
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Binaries and shared objects among the paths (folders searched for *.so). */
function elfFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p.endsWith('/')) {
      const found = execFileSync('find', [p, '-name', '*.so*', '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean);
      out.push(...found);
    } else out.push(p);
  }
  return out;
}

/** `tinyforge-test/node:1`: the host's node binary and its libraries (≈100 MB, ≈1 s to import). */
export async function ensureNodeImage(docker: Docker): Promise<void> {
  await importRootfs(docker, NODE_IMAGE, [process.execPath], [], ['ENV PATH=/usr/local/bin:/usr/bin:/bin', 'CMD ["node"]']);
}

/**
 * `tinyforge-test/python-numpy:1`: Debian's python3.11 + stdlib + python3-numpy (apt packages
 * python3 python3-numpy), with the libraries they link (≈2 s to import).
 */
export async function ensurePythonImage(docker: Docker): Promise<string | undefined> {
  const python = '/usr/bin/python3.11';
  const numpy = '/usr/lib/python3/dist-packages/numpy/';
  if (!existsSync(python) || !existsSync(numpy)) return 'Debian python3 / python3-numpy are not installed (apt-get install python3-numpy)';
  await importRootfs(
    docker,
    PYTHON_IMAGE,
    [python, '/usr/lib/python3.11/', numpy],
    ['usr/lib/python3.11/test', 'usr/lib/python3.11/idlelib', 'usr/lib/python3.11/tkinter', 'usr/lib/python3.11/ensurepip', 'usr/lib/python3.11/lib2to3', '__pycache__', 'usr/lib/python3/dist-packages/numpy/*/tests'],
    ['ENV PATH=/usr/bin:/bin', 'CMD ["/usr/bin/python3.11"]'],
  );
  return undefined;
}
