import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { HttpCache } from './http-cache.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`;
}

const client = (url: string, warnings: string[], extra: { concurrency?: number } = {}) =>
  new HttpCache(url, { retries: 3, backoffMs: 5, timeoutMs: 5_000, warn: (m) => warnings.push(m), ...extra });

describe('HttpCache', () => {
  test('retries 5xx with backoff and then succeeds', async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      calls++;
      if (calls <= 2) return res.writeHead(503).end();
      res.writeHead(200).end(`got ${req.url}`);
    });
    const warnings: string[] = [];
    const data = await client(url, warnings).get('cas/abc');
    expect(data?.toString()).toBe('got /base/cas/abc');
    expect(calls).toBe(3);
    expect(warnings).toEqual([]);
  });

  test('a server that keeps failing is declared dead once; later calls do not touch it', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      res.writeHead(500).end();
    });
    const warnings: string[] = [];
    const http = client(url, warnings);
    expect(await http.get('ac/1')).toBeUndefined();
    expect(calls).toBe(4); // 1 + 3 retries
    expect(await Promise.all([http.get('ac/2'), http.has('cas/3'), http.put('cas/4', Buffer.from('x'))])).toEqual([undefined, false, false]);
    expect(calls).toBe(4);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unreachable \(HTTP 500\)/);
  });

  test('404 is a miss without warnings; a refused upload stops uploads with one warning', async () => {
    const methods: string[] = [];
    const url = await serve((req, res) => {
      methods.push(req.method!);
      if (req.method === 'PUT') return res.writeHead(403).end();
      res.writeHead(404).end();
    });
    const warnings: string[] = [];
    const http = client(url, warnings);
    expect(await http.get('cas/x')).toBeUndefined();
    expect(await http.has('cas/x')).toBe(false);
    expect(await http.put('cas/x', Buffer.from('a'))).toBe(false);
    expect(await http.put('cas/y', Buffer.from('b'))).toBe(false);
    expect(methods).toEqual(['GET', 'HEAD', 'PUT']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/refuses uploads \(HTTP 403\)/);
    expect(http.dead).toBe(false);
  });

  test('never more requests in flight than the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const url = await serve((_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200).end('ok');
      }, 10);
    });
    const http = client(url, [], { concurrency: 4 });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => http.get(`cas/${i}`)));
    expect(results.every((r) => r?.toString() === 'ok')).toBe(true);
    expect(peak).toBe(4);
  });
});
