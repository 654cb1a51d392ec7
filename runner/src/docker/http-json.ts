import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * A small HTTP/1.1 client for one container's server: keep-alive connections through its own
 * agent, so closing it leaves no socket holding the process open.
 */
export class HttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  send(method: 'GET' | 'POST', path: string, options: { body?: unknown; headers?: Record<string, string>; signal: AbortSignal; timeoutMs?: number }): Promise<HttpAnswer> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          signal: options.signal,
          headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...options.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer in ${options.timeoutMs! / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
