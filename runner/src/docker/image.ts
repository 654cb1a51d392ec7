import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type Dockerode from 'dockerode';
import { TinyforgeError, type ContainerRuntime, type Logger } from '@tinyforge/sdk';
import { connectDocker } from './engine.js';

export interface ResolvedImage {
  /** Image ID (`sha256:…`, the digest of the image config): what the action key pins ('' when pending). */
  id: string;
  /** Tag or reference it was found under. */
  ref: string;
  built: boolean;
  /** Dry run only: the image does not exist yet; why the block will run (it builds or pulls it). */
  pending?: string;
}

interface ResolveEnv {
  /** Relative `context` paths resolve against it (the pipeline's folder). */
  baseDir: string;
  signal: AbortSignal;
  log: Logger;
  /** `status`: build and pull nothing; a missing image resolves as `pending`. */
  dryRun?: boolean;
}

/**
 * The image a runtime names, by ID. A Dockerfile build is skipped when an image tagged with the
 * digest of (context files, Dockerfile path, base image IDs) exists already; a changed file or
 * base image gives a new tag, so a new build and a new ID.
 */
export async function resolveImage(runtime: ContainerRuntime, env: ResolveEnv): Promise<ResolvedImage> {
  const docker = await connectDocker();
  if (runtime.image) {
    if (env.dryRun) {
      const id = await imageId(docker, runtime.image);
      return id ? { id, ref: runtime.image, built: false } : { id: '', ref: runtime.image, built: false, pending: 'its container image is not pulled yet (run pulls it)' };
    }
    return { id: await imageIdOrPull(docker, runtime.image, env), ref: runtime.image, built: false };
  }
  if (!runtime.context) throw new TinyforgeError({ code: 'PLUGIN', message: 'a container runtime needs `image`, or `context` (+ `dockerfile`) to build one' });
  const context = resolve(env.baseDir, runtime.context);
  const dockerfile = runtime.dockerfile ?? 'Dockerfile';
  const dockerfilePath = join(context, dockerfile);
  if (!existsSync(dockerfilePath)) throw new TinyforgeError({ code: 'BAD_INPUT', file: dockerfilePath, message: 'no Dockerfile here' });
  const files = await contextFiles(context);
  const bases = await baseImageIds(docker, await readFile(dockerfilePath, 'utf8'));
  const digest = createHash('sha256')
    .update(JSON.stringify({ files: await fileDigests(context, files), dockerfile, bases }))
    .digest('hex');
  const tag = `tinyforge/${slug(basename(context))}:${digest.slice(0, 20)}`;
  const existing = await imageId(docker, tag);
  if (existing) return { id: existing, ref: tag, built: false };
  if (env.dryRun) return { id: '', ref: tag, built: false, pending: 'its container image is not built yet (run builds it)' };
  env.log.info(`building image ${tag} from ${context}`);
  await buildImage(docker, context, files, dockerfile, tag, env);
  const id = await imageId(docker, tag);
  if (!id) throw new TinyforgeError({ code: 'DOCKER', file: dockerfilePath, message: `the build reported success but image ${tag} does not exist` });
  return { id, ref: tag, built: true };
}

async function imageId(docker: Dockerode, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

async function imageIdOrPull(docker: Dockerode, ref: string, env: ResolveEnv): Promise<string> {
  const id = await imageId(docker, ref);
  if (id) return id;
  env.log.info(`pulling ${ref}`);
  try {
    const stream = await docker.pull(ref);
    await followToEnd(docker, stream, env);
  } catch (error) {
    throw new TinyforgeError({ code: 'DOCKER', message: `image ${ref} is not in the engine and could not be pulled: ${firstLine(error)}`, hint: 'build or load it first (docker build / docker load), or give runtime.context to build it', cause: error });
  }
  const pulled = await imageId(docker, ref);
  if (!pulled) throw new TinyforgeError({ code: 'DOCKER', message: `image ${ref} is still missing after the pull` });
  return pulled;
}

async function buildImage(docker: Dockerode, context: string, files: string[], dockerfile: string, tag: string, env: ResolveEnv): Promise<void> {
  const lines: string[] = [];
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage({ context, src: files }, { t: tag, dockerfile, rm: true, forcerm: true, labels: { 'dev.tinyforge.context': basename(context) } });
  } catch (error) {
    throw new TinyforgeError({ code: 'DOCKER', file: join(context, dockerfile), message: `image build failed: ${firstLine(error)}`, cause: error });
  }
  try {
    await followToEnd(docker, stream, env, (text) => {
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        env.log.debug(line);
      }
    });
  } catch (error) {
    if (env.signal.aborted) throw env.signal.reason;
    // The HTTP status is 200 even when a step fails: the error arrives as a stream event.
    throw new TinyforgeError({
      code: 'DOCKER',
      file: join(context, dockerfile),
      message: `image build failed: ${firstLine(error)}${lines.length ? `\n${lines.slice(-10).map((l) => `  | ${l}`).join('\n')}` : ''}`,
      cause: error,
    });
  }
}

/** Follows a build/pull progress stream; rejects on an `error` event or when the signal aborts. */
function followToEnd(docker: Dockerode, stream: NodeJS.ReadableStream, env: ResolveEnv, onText?: (text: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const abort = () => (stream as unknown as { destroy(e?: Error): void }).destroy(new Error('cancelled'));
    env.signal.addEventListener('abort', abort, { once: true });
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
        env.signal.removeEventListener('abort', abort);
        const failed = error ?? events.find((e) => e.error || e.errorDetail);
        if (!failed) return resolvePromise();
        const message = failed instanceof Error ? failed.message : (failed.errorDetail?.message ?? failed.error ?? 'unknown error');
        reject(new Error(message.trim()));
      },
      (event: { stream?: string; status?: string; error?: string }) => {
        const text = event.stream ?? event.status ?? event.error;
        if (text) onText?.(text);
      },
    );
  });
}

/**
 * FROM images the build starts from, by ID, so a re-imported base image (same tag, new
 * content) gives a new build. `scratch`, earlier stages and `$ARG` references are left out.
 */
async function baseImageIds(docker: Dockerode, dockerfile: string): Promise<Record<string, string | null>> {
  const stages = new Set<string>();
  const out: Record<string, string | null> = {};
  for (const raw of dockerfile.split('\n')) {
    const m = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(raw);
    if (!m) continue;
    const ref = m[1]!;
    if (m[2]) stages.add(m[2].toLowerCase());
    if (ref === 'scratch' || ref.includes('$') || stages.has(ref.toLowerCase()) || ref in out) continue;
    out[ref] = (await imageId(docker, ref)) ?? null;
  }
  return out;
}

/** Files of a build context (relative, `/`-separated), minus `.git` and simple .dockerignore entries. */
export async function contextFiles(context: string): Promise<string[]> {
  const ignore = await readDockerignore(context);
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(context, abs).split(sep).join('/');
      if (rel === '.git' || ignore.some((re) => re.test(rel))) continue;
      if (entry.isDirectory()) await walk(abs);
      else if (entry.isFile() || entry.isSymbolicLink()) files.push(rel);
    }
  };
  await walk(context);
  return files.sort();
}

async function readDockerignore(context: string): Promise<RegExp[]> {
  const file = join(context, '.dockerignore');
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
    .map((pattern) => {
      const body = pattern
        .replace(/^\/+|\/+$/g, '')
        .split('**')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('.*');
      return new RegExp(`^${body}(/.*)?$`);
    });
}

async function fileDigests(context: string, files: string[]): Promise<[string, string, boolean][]> {
  const out: [string, string, boolean][] = [];
  for (const rel of files) {
    const abs = join(context, rel);
    const info = await stat(abs);
    out.push([rel, createHash('sha256').update(await readFile(abs)).digest('hex'), (info.mode & 0o111) !== 0]);
  }
  return out;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'block';
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!.trim();
}
