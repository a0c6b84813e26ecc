import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../../src/transport/http/error-handler.js';
import type { HttpApp } from '../../src/transport/http/types.js';
import { defaultWebRoot, registerWebRoutes } from '../../src/transport/http/web-routes.js';
import { createTestApp, type TestApp } from '../support/app.js';

const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

async function appServing(root: string): Promise<HttpApp> {
  const app = Fastify() as unknown as HttpApp;
  registerErrorHandling(app, () => undefined);
  await registerWebRoutes(app, root);
  await app.ready();
  return app;
}

describe('the web app routes, with a built app', () => {
  let root: string;
  let app: HttpApp;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-web-'));
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Punchcard</title><div id="root"></div>');
    fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    fs.writeFileSync(path.join(root, '.secret'), 'no');
    app = await appServing(root);
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / without a key, never cached', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.body).toContain('<div id="root">');
  });

  it('serves hashed assets as immutable and other files as they are', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
    const svg = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/svg/);
  });

  it("answers the app's own routes with index.html when a browser asks for a page", async () => {
    for (const url of ['/customers/cus_1', '/packages/pkg_1?tab=history', '/catalog']) {
      const r = await app.inject({ method: 'GET', url, headers: html });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('<div id="root">');
    }
  });

  it('answers 404 as google.rpc.Status for a missing file or a non-page request', async () => {
    for (const url of ['/assets/missing.js', '/customers/cus_1']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().code).toBe(5);
    }
  });

  it('never falls back to the app under the API, docs or operations paths', async () => {
    for (const url of ['/v1/nothing', '/v1', '/docs/nothing', '/healthz', '/metrics', '/openapi.json']) {
      const r = await app.inject({ method: 'GET', url, headers: html });
      expect(r.statusCode, url).toBe(404);
      expect(r.json()).toMatchObject({ code: 5, message: `no route GET ${url}` });
    }
  });

  it('never serves dotfiles or anything outside its folder', async () => {
    for (const url of ['/.secret', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%E0%A4%A']) {
      const r = await app.inject({ method: 'GET', url });
      expect([400, 404], url).toContain(r.statusCode);
      expect(r.body).not.toContain('root:');
    }
  });

  it('answers HEAD like GET', async () => {
    const r = await app.inject({ method: 'HEAD', url: '/' });
    expect(r.statusCode).toBe(200);
  });
});

describe('the web app routes, before the app is built', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await appServing(path.join(os.tmpdir(), 'punchcard-no-such-web-dist'));
  });
  afterAll(() => app.close());

  it('answers / with a page saying how to build the app', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain('npm run build:web');
  });

  it('still answers 404 for API paths and non-page requests', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/x', headers: html })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/app.js' })).statusCode).toBe(404);
  });
});

describe('the web app inside the whole HTTP app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('finds web/dist beside package.json', () => {
    expect(defaultWebRoot()).toBe(path.resolve('web', 'dist'));
  });

  it('loads / without a key while the API still asks for one', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/', headers: html });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await t.app.inject({ method: 'GET', url: '/v1/me' });
    expect(api.statusCode).toBe(401);
  });

  it('keeps unknown API paths a JSON 404', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/v1/companies/x/nothing/here', headers: html });
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe(5);
  });
});
