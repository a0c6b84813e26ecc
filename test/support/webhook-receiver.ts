// A real webhook receiver on loopback for tests: records every request and answers as the test scripts it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedRequest {
  readonly method: string;
  /** The path and query, e.g. `/hooks`. */
  readonly path: string;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 text, as a receiver's library verifies it. */
  readonly body: string;
  /** Date.now() when the body had fully arrived. */
  readonly time: number;
  /** Which connection carried it: 1 for the receiver's first, and so on. */
  readonly connection: number;
}

/** How to answer one request. */
export type Reply =
  | {
      readonly status?: number;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly retryAfter?: string;
      readonly location?: string;
      /** Waits this long before answering. */
      readonly delayMs?: number;
    }
  /** Never answers; the request stays open until the client gives up or the receiver is closed. */
  | { readonly hang: true }
  /** Drops the connection without answering. */
  | { readonly reset: true }
  /** Answers with this status and then writes body chunks for as long as the client reads. */
  | { readonly status?: number; readonly endless: true };

export type Script = (request: ReceivedRequest, n: number) => Reply;

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks`. */
  readonly url: string;
  readonly port: number;
  /** Every request so far, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** How to answer from now on; `n` counts requests from 1. The default answers 200 `ok`. */
  respond(script: Script): void;
  /** The URL of another path on this receiver. */
  urlFor(path: string): string;
  /** Connections open right now (a client that keeps none alive leaves 0). */
  openConnections(): number;
  /** The most connections that were open at one time. */
  maxOpenConnections(): number;
  /** Connections accepted so far (one for many requests when the client keeps it alive). */
  acceptedConnections(): number;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<readonly ReceivedRequest[]>;
  /** Resolves once no connection is open. */
  waitForNoConnections(timeoutMs?: number): Promise<void>;
  /** Resolves once the connection that carried the request has closed. */
  waitForConnectionClosed(request: ReceivedRequest, timeoutMs?: number): Promise<void>;
  /** Verifies the request's signature as receivers do (the standardwebhooks package); throws when it fails. */
  verify(request: ReceivedRequest, secret: string): unknown;
  /** Stops listening and drops every connection, so the URL then gives "connection refused". */
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  const closed = new Set<number>();
  let maxOpen = 0;
  let accepted = 0;
  let script: Script = () => ({ status: 200, body: 'ok' });
  const timers = new Set<NodeJS.Timeout>();
  const changed = new Set<() => void>();
  const notify = () => {
    for (const f of [...changed]) f();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: headersOf(req),
        body: Buffer.concat(chunks).toString('utf8'),
        time: Date.now(),
        connection: connectionIds.get(req.socket) ?? 0,
      };
      requests.push(received);
      notify();
      let reply: Reply;
      try {
        reply = script(received, requests.length);
      } catch {
        reply = { status: 500, body: 'the test script threw' };
      }
      answer(res, reply);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    const id = ++accepted;
    connectionIds.set(socket, id);
    maxOpen = Math.max(maxOpen, sockets.size);
    socket.on('close', () => {
      sockets.delete(socket);
      closed.add(id);
      notify();
    });
  });

  function answer(res: ServerResponse, reply: Reply): void {
    if ('hang' in reply) return;
    if ('reset' in reply) {
      res.socket?.resetAndDestroy();
      return;
    }
    if ('endless' in reply) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        // Writes until the socket's buffer is full, then waits for it to drain, until the client goes away.
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
      return;
    }
    const send = () => {
      const headers: Record<string, string> = { 'content-type': 'text/plain', ...reply.headers };
      if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
      if (reply.location !== undefined) headers.location = reply.location;
      res.writeHead(reply.status ?? 200, headers);
      res.end(reply.body ?? '');
    };
    if (reply.delayMs === undefined) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, reply.delayMs);
    timers.add(timer);
  }

  function until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        changed.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        changed.delete(check);
        reject(new Error(`webhook receiver: ${what()} within ${timeoutMs} ms`));
      }, timeoutMs);
      changed.add(check);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: `${base}/hooks`,
    port,
    requests,
    respond(next) {
      script = next;
    },
    urlFor: (path) => `${base}${path.startsWith('/') ? path : `/${path}`}`,
    openConnections: () => sockets.size,
    maxOpenConnections: () => maxOpen,
    acceptedConnections: () => accepted,
    async waitForRequests(count, timeoutMs = 5000) {
      await until(() => requests.length >= count, timeoutMs, () => `expected ${count} requests, got ${requests.length}`);
      return requests;
    },
    waitForNoConnections: (timeoutMs = 5000) => until(() => sockets.size === 0, timeoutMs, () => `${sockets.size} connections still open`),
    waitForConnectionClosed: (request, timeoutMs = 5000) => until(() => closed.has(request.connection), timeoutMs, () => `connection ${request.connection} still open`),
    verify: (request, secret) => new Webhook(secret).verify(request.body, { ...request.headers }),
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
