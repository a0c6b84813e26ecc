// What a browser test of the web app needs: the built server (dist/src/main.js, built by the test run's global
// set-up) serving a web app built from the current sources, on a temporary database, and a headless Chromium.
//
// The app is built into a root of the test's own (a copy of dist/ beside links to node_modules/ and migrations/,
// and its own web/dist), so that browser tests running side by side never build into, or serve from, a web/dist
// that another is emptying.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const haveChromium = fs.existsSync(CHROMIUM);

/** Skips a browser test file where Chromium is missing, except in CI, which must have it. */
/**
 * Where a browser test writes its screenshots: `docs/screenshots` (those the README shows) when
 * UPDATE_SCREENSHOTS is set, otherwise a temporary folder, so that a test run never changes the repository.
 */
export function screenshotDir(name: string): string {
  return process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : fs.mkdtempSync(path.join(os.tmpdir(), `punchcard-${name}-shots-`));
}

export function requireChromium(what: string): boolean {
  if (haveChromium) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium) to run ${what}`);
  console.warn(`Skipping ${what}: ${CHROMIUM} is missing (apt-get install -y chromium).`);
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A root to run the server from: dist/ copied, node_modules/ and migrations/ linked, web/dist built anew. */
export function buildAppRoot(): string {
  const node = process.execPath;
  if (!fs.existsSync(path.join(ROOT, 'dist/src/main.js'))) {
    execFileSync(node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-e2e-root-'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
  fs.cpSync(path.join(ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'migrations'), path.join(root, 'migrations'), 'dir');
  execFileSync(node, ['node_modules/vite/bin/vite.js', 'build', 'web', '--outDir', path.join(root, 'web', 'dist'), '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return root;
}

export interface E2eServer {
  url: string;
  /** The ADMIN key of the demo company the first start made. */
  key: string;
  companyId: string;
  child: ChildProcess;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the server from a root on an empty database; its first start prints the demo company's ADMIN key. */
export async function startFirstStartServer(root: string): Promise<E2eServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-e2e-'));
  const port = await freePort();
  const grpcPort = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: root,
    env: { PATH: process.env.PATH, PORT: String(port), GRPC_PORT: String(grpcPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn', PUNCHCARD_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const key = /^\s+(pck\.\S+)\s*$/m.exec(output)?.[1];
    if (key && output.includes('Punchcard is running at')) {
      return {
        url: `http://127.0.0.1:${port}`,
        key,
        companyId: 'cmp_demo',
        child,
        dataDir,
        output: () => output,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Headless Chromium with the flags this machine's closed network needs, on a fresh profile. */
export async function launchChromium(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 860 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A call to the native API with a key, failing loudly on anything but 2xx. */
export async function apiCall(server: E2eServer, method: string, p: string, body?: unknown, key = server.key): Promise<any> {
  const r = await fetch(`${server.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export interface E2eBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Closes Chromium and removes its profile. */
  close(): Promise<void>;
}

/** Chromium with a profile of its own and one page (10 s timeouts), whose uncaught errors go into `pageErrors`. */
export async function openBrowser(pageErrors: string[]): Promise<E2eBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-chromium-'));
  const context = await launchChromium(profile);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return {
    context,
    page,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in at the desk with a key (default: the one the first start printed) and waits for the Customers screen. */
export async function signIn(page: Page, server: E2eServer, key = server.key): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.getByLabel('API key').fill(key);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Customers' }).waitFor({ state: 'visible' });
}
