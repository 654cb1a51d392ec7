import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real HTTP cache server for tests: Debian's nginx with the WebDAV module (`dav_methods PUT`),
 * the way teams serve Bazel's HTTP cache protocol. Runs in the foreground on a loopback port,
 * with a temp prefix, config, root and access log; `stop()` ends it and removes the folder.
 */
export interface NginxCache {
  /** Base URL of the cache (`http://127.0.0.1:<port>/cache`). */
  url: string;
  /** Folder the server stores `ac/` and `cas/` in. */
  root: string;
  port: number;
  blobPath(digest: string): string;
  acPath(key: string): string;
  /** Requests seen so far: method, path, status. */
  requests(): { method: string; path: string; status: number }[];
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx', '/usr/local/nginx/sbin/nginx'];

export function findNginx(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

/** `describe.skipIf` condition: skip without nginx, but never under CI=true (there it must fail). */
export function skipWithoutNginx(): boolean {
  if (findNginx()) return false;
  if (process.env.CI === 'true') return false;
  console.log('skipping remote cache tests: nginx is not installed (apt-get install nginx-light)');
  return true;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface NginxCacheOptions {
  /** Reads stay open; PUT needs these Basic credentials (the read-only-for-untrusted setup). */
  writeAuth?: { user: string; password: string };
}

export async function startNginxCache(options: NginxCacheOptions = {}): Promise<NginxCache> {
  const nginx = findNginx();
  if (!nginx) throw new Error('nginx is not installed: apt-get install -y nginx-light (needs the WebDAV module)');
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-nginx-'));
  const root = join(dir, 'www');
  const cacheRoot = join(root, 'cache');
  mkdirSync(cacheRoot, { recursive: true });
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(dir, d));
  const port = await freePort();
  const accessLog = join(dir, 'logs/access.log');
  const asRoot = process.getuid?.() === 0;
  if (options.writeAuth) writeFileSync(join(dir, 'htpasswd'), `${options.writeAuth.user}:{PLAIN}${options.writeAuth.password}\n`);
  const writeAuth = options.writeAuth ? `\n      limit_except GET HEAD { auth_basic "tinyforge cache"; auth_basic_user_file ${dir}/htpasswd; }` : '';
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${asRoot ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  log_format plain '$request_method $uri $status';
  access_log ${accessLog} plain;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    client_max_body_size 0;
    location /cache/ {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r all:r;${writeAuth}
    }
  }
}
`,
  );
  const child: ChildProcess = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}/cache`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) throw new Error(`nginx exited at start: ${stderr}${readIfExists(join(dir, 'logs/error.log'))}`);
    try {
      const res = await fetch(`${url}/ping`);
      await res.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not answer on port ${port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    root: cacheRoot,
    port,
    blobPath: (digest) => join(cacheRoot, 'cas', digest),
    acPath: (key) => join(cacheRoot, 'ac', key),
    requests: () =>
      readIfExists(accessLog)
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [method, path, status] = line.split(' ');
          return { method: method!, path: path!, status: Number(status) };
        })
        .filter((r) => r.path !== '/cache/ping'),
    stop: async () => {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
