import { existsSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BroadcastChannel, threadId } from 'node:worker_threads';

/**
 * Lets worker threads fetch blobs through the main thread's remote cache. Workers open their
 * own ContentStore on the cache folder and know nothing of the remote; when a blob is missing
 * they ask over a BroadcastChannel named after the folder, and the main thread fetches it
 * (verified, concurrency-limited, one warning policy) into the folder and answers. A marker
 * file `.serving-<pid>` tells workers that someone in this process is listening, so a process
 * without a remote answers "missing" at once instead of after a timeout.
 */
const channelName = (casDir: string) => `tinyforge-remote-blobs:${casDir}`;
const markerOf = (casDir: string) => join(dirname(casDir), 'remote-pending', `.serving-${process.pid}`);

interface BlobRequest {
  request: string;
  digest: string;
}
interface BlobReply {
  reply: string;
  ok: boolean;
}

const serving = new Map<string, { channel: BroadcastChannel; fetchInto: (digest: string) => Promise<boolean> }>();

/**
 * Main thread: answer workers' requests for `casDir` with `fetchInto` (true = now stored
 * locally). A later call for the same folder (another run in this process) replaces the handler.
 */
export function serveBlobRequests(casDir: string, fetchInto: (digest: string) => Promise<boolean>): void {
  const existing = serving.get(casDir);
  if (existing) {
    existing.fetchInto = fetchInto;
    return;
  }
  const channel = new BroadcastChannel(channelName(casDir));
  channel.unref();
  const entry = { channel, fetchInto };
  channel.onmessage = (event) => {
    const message = (event as { data: BlobRequest | BlobReply }).data;
    if (!message || !('request' in message)) return;
    void entry
      .fetchInto(message.digest)
      .catch(() => false)
      .then((ok) => channel.postMessage({ reply: message.request, ok } satisfies BlobReply));
  };
  serving.set(casDir, entry);
  const marker = markerOf(casDir);
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(marker, '');
  process.once('exit', () => {
    try {
      unlinkSync(marker);
    } catch {
      // already gone
    }
  });
}

const askChannels = new Map<string, { channel: BroadcastChannel; waiting: Map<string, (ok: boolean) => void> }>();
let counter = 0;

/** Worker thread: ask the main thread to fetch `digest` into `casDir`; `false` if it cannot. */
export async function requestBlob(casDir: string, digest: string, timeoutMs = 120_000): Promise<boolean> {
  if (!existsSync(markerOf(casDir))) return false;
  let link = askChannels.get(casDir);
  if (!link) {
    const channel = new BroadcastChannel(channelName(casDir));
    channel.unref();
    const waiting = new Map<string, (ok: boolean) => void>();
    channel.onmessage = (event) => {
      const message = (event as { data: BlobRequest | BlobReply }).data;
      if (message && 'reply' in message) waiting.get(message.reply)?.(message.ok);
    };
    link = { channel, waiting };
    askChannels.set(casDir, link);
  }
  const id = `${threadId}-${++counter}`;
  const { channel, waiting } = link;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(ok);
    };
    waiting.set(id, finish);
    channel.postMessage({ request: id, digest } satisfies BlobRequest);
  });
}
