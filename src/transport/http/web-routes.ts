// The front-desk web app at `/`: the files of web/dist (built by `npm run build:web`), and index.html for the
// app's own routes, so that a reload of /customers/cus_1 opens the app again. Loading it needs no key: the app
// asks for one and sends it with every API call.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { HttpApp } from './types.js';

/** Paths the app never answers for: an unknown one there stays the API's 404. */
const NOT_THE_APP = [/^\/v1(\/|$)/, /^\/docs(\/|$)/, /^\/(healthz|readyz|metrics|openapi\.json)$/];

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Punchcard</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Punchcard</h1>
<p>The API is running, but the front-desk web app has not been built.</p>
<p>Build it with <code>npm run build:web</code> (or start with <code>npm start</code>, which builds it), then reload this page.</p>
<p>The API documentation is at <a href="/docs">/docs</a>.</p>
</body></html>
`;

/** web/dist beside the package.json this module belongs to (from src/ under tsx, or from dist/src/ when built). */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'web', 'dist');
    const up = dirname(dir);
    if (up === dir) return resolve('web', 'dist');
    dir = up;
  }
}

const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

/** The file under root that a URL path names, or null (outside root, a dotfile, a folder, absent). */
function fileFor(root: string, path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const relative = decoded.replace(/^\/+/, '');
  if (relative === '' || relative.includes('\0') || relative.split('/').some((part) => part.startsWith('.'))) return null;
  const full = resolve(root, relative);
  if (!full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile() ? relative : null;
  } catch {
    return null;
  }
}

export async function registerWebRoutes(app: HttpApp, root: string = defaultWebRoot()): Promise<void> {
  await app.register(async (web) => {
    const built = existsSync(join(root, 'index.html'));
    // Inside this plugin only, so that reply.sendFile does not leak into (or clash with) other routes.
    if (built) await web.register(fastifyStatic, { root, serve: false, index: false });
    const config = { public: true, surface: 'ops' as const };

    const handler = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (NOT_THE_APP.some((re) => re.test(path))) throw new DomainError('NOT_FOUND', `no route ${request.method} ${path}`);
      if (!built) {
        if (path !== '/' && !wantsHtml(request)) throw new DomainError('NOT_FOUND', `no route ${request.method} ${path}`);
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT_PAGE);
      }
      const file = fileFor(root, path);
      if (file !== null) {
        // Vite names what it emits under assets/ by content hash: those never change.
        const hashed = file.startsWith('assets/');
        if (!hashed) reply.header('cache-control', 'no-cache');
        return reply.sendFile(file, hashed ? { maxAge: '365d', immutable: true } : { cacheControl: false });
      }
      if (path === '/' || wantsHtml(request)) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
      }
      throw new DomainError('NOT_FOUND', `no route ${request.method} ${path}`);
    };
    web.get('/', { config, schema: { hide: true } }, handler);
    web.get('/*', { config, schema: { hide: true } }, handler);
  });
}
