// Child processes for benchmarks: free loopback ports, start-and-wait, and a kill that always happens.
import { spawn } from 'node:child_process';
import net from 'node:net';

/** A port nobody listens on at 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const children = new Set();

/** Kills every child this process started; safe to call twice. */
export async function killAll() {
  await Promise.all([...children].map((c) => c.stop()));
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void killAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const c of children) c.child.kill('SIGKILL');
});

/**
 * Starts a child process, keeping its output for when something goes wrong.
 * stop() sends SIGTERM, then SIGKILL if it has not exited within 5 s.
 */
export function start(name, command, args, env) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));
  const handle = {
    name,
    child,
    exited,
    output: () => output,
    hasExited: () => exitedYet,
    async stop() {
      children.delete(handle);
      if (exitedYet) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  children.add(handle);
  return handle;
}

/** Polls until check() resolves true; fails early if the process exits. */
export async function waitUntil(handle, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (handle.hasExited()) throw new Error(`${handle.name} exited before it was ready:\n${handle.output()}`);
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${handle.name} was not ready within ${timeoutMs / 1000} s:\n${handle.output()}`);
}
