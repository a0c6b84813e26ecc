// The generated TypeScript client: its committed copy matches the server's OpenAPI document (regenerated and
// compared), and it drives a real server with typed calls, the key, idempotent retries and typed errors.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PunchcardError, createPunchcardClient, idempotent, unwrap, type PunchcardClient } from '../../clients/typescript/src/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { makeFactory, type Factory } from '../support/factories.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the TypeScript client', () => {
  it('is generated from the server as it is now (npm run client:generate)', async () => {
    const r = await run(process.execPath, [path.join(root, 'clients/typescript/generate.mjs'), '--check'], { cwd: root, timeout: 60_000 }).catch((e) => e);
    expect(r.code ?? 0, `${r.stdout}${r.stderr}`).toBe(0);
  });

  describe('against a server', () => {
    let t: TestApp;
    let f: Factory;
    let client: PunchcardClient;
    let baseUrl: string;
    beforeAll(async () => {
      t = await createTestApp('sqlite', { now: Date.now() });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
      f = await makeFactory(t);
      client = createPunchcardClient({ baseUrl, apiKey: f.c.key });
    });
    afterAll(() => t.close());

    it('sells, redeems once for a retried key, and reads the package back, typed', async () => {
      const companyId = f.c.id;
      const template = await f.template();
      const sold = await unwrap(
        client.POST('/v1/companies/{companyId}/packages:sell', {
          params: { path: { companyId } },
          body: { templateId: template.id, customerId: f.customerId, businessId: f.businessId },
        }),
      );
      const packageId = sold.packageInfo.id;
      const headers = idempotent();
      const redeem = () =>
        client.POST('/v1/companies/{companyId}/packages/{packageId}:redeem', {
          params: { path: { companyId, packageId } },
          headers,
          body: { serviceId: f.serviceId, quantity: 1, businessId: f.businessId },
        });
      const first = await redeem();
      const again = await redeem();
      expect(first.response.status).toBe(200);
      expect(again.response.headers.get('idempotency-replayed')).toBe('true');
      const read = await unwrap(client.GET('/v1/companies/{companyId}/packages/{packageId}', { params: { path: { companyId, packageId } } }));
      expect(read.packageServices[0]!.remainingQuantity).toBe(4);
    });

    it('throws the API error as a PunchcardError with its reason and fields', async () => {
      const companyId = f.c.id;
      const missing = await unwrap(client.GET('/v1/companies/{companyId}/packages/{packageId}', { params: { path: { companyId, packageId: 'pkg_missing' } } })).catch((e) => e);
      expect(missing).toBeInstanceOf(PunchcardError);
      expect(missing.httpStatus).toBe(404);
      const bad = await unwrap(
        client.POST('/v1/companies/{companyId}/packages:sell', { params: { path: { companyId } }, body: { templateId: '', customerId: f.customerId, businessId: f.businessId } }),
      ).catch((e) => e);
      expect(bad).toBeInstanceOf(PunchcardError);
      expect(bad.httpStatus).toBe(400);
      expect(bad.fieldViolations.length).toBeGreaterThan(0);
      const stranger = createPunchcardClient({ baseUrl, apiKey: 'pck.nobody.secret' });
      const denied = await unwrap(stranger.GET('/v1/me', {})).catch((e) => e);
      expect(denied.httpStatus).toBe(401);
    });
  });
});
