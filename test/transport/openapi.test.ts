// /openapi.json is the contract as code: OpenAPI 3.1 that validates, every operation with its success and error
// answers, and real answers that match what the document declares (so a presenter drifting from its schema fails).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { makeFactory, type Factory, type Json } from '../support/factories.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const pointer = (...segments: string[]) => segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

describe.each(ENGINES)('the OpenAPI document on %s', (engine) => {
  let t: TestApp;
  let doc: Json;
  let ajv: Ajv2020;
  let f: Factory;

  beforeAll(async () => {
    t = await createTestApp(engine);
    const r = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    doc = r.json();
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'openapi.json');
    f = await makeFactory(t);
  });
  afterAll(() => t.close());

  /** Fails unless `body` matches the schema the document declares for that operation and status. */
  function expectDeclared(path: string, method: string, status: number, body: unknown): void {
    const media = doc.paths[path]?.[method]?.responses?.[String(status)]?.content?.['application/json'];
    expect(media?.schema, `${method} ${path} declares ${status}`).toBeDefined();
    const validate = ajv.compile({ $ref: `openapi.json#/${pointer('paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema')}` });
    const valid = validate(body);
    expect(validate.errors ?? [], `${method} ${path} ${status}`).toEqual([]);
    expect(valid).toBe(true);
  }

  it('is OpenAPI 3.1 and validates', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names the shared schemas once, as components', () => {
    for (const name of ['Status', 'ErrorInfo', 'BadRequest', 'Money', 'PackageDetail', 'Redemption', 'PackageEvent', 'PackageTemplate', 'ZenotiError', 'ZenotiGuestPackage']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    expect(Object.keys(doc.components.schemas).filter((k) => k.startsWith('def-'))).toEqual([]);
  });

  it('gives every operation a success answer with a schema and error answers in its surface shape', () => {
    const operations: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        operations.push(`${method} ${path}`);
        const responses = Object.entries<Json>(op.responses ?? {});
        const success = responses.filter(([s]) => /^2\d\d$/.test(s));
        expect(success.length, `${method} ${path} has a 2xx`).toBeGreaterThan(0);
        for (const [status, answer] of success) {
          const contents = Object.entries<Json>(answer.content ?? {});
          expect(contents.length, `${method} ${path} ${status} has content`).toBeGreaterThan(0);
          for (const [type, media] of contents) {
            if (type === 'application/json') expect(media.schema, `${method} ${path} ${status} has a schema`).toBeDefined();
          }
        }
        const errorShape = path.startsWith('/v1/guests/') ? '#/components/schemas/ZenotiError' : '#/components/schemas/Status';
        const clientErrors = responses.filter(([s, answer]) => /^4\d\d$/.test(s) && answer.content?.['application/json']?.schema?.$ref === errorShape);
        expect(clientErrors.length, `${method} ${path} has a 4xx answering ${errorShape}`).toBeGreaterThan(0);
      }
    }
    expect(operations.length).toBeGreaterThan(50);
  });

  it('describes the streams by their content types', () => {
    expect(Object.keys(doc.paths['/v1/companies/{companyId}/packages:export'].get.responses['200'].content)).toEqual(['text/csv']);
    expect(Object.keys(doc.paths['/v1/companies/{companyId}/events:export'].get.responses['200'].content)).toEqual(['text/csv', 'application/x-ndjson']);
    expect(Object.keys(doc.paths['/v1/companies/{companyId}/packages:import'].post.requestBody.content)).toEqual(expect.arrayContaining(['text/csv', 'application/json']));
  });

  describe('real answers match what it declares', () => {
    const base = '/v1/companies/{companyId}';

    it('a sale, a redeem, a package, a list, the history and a template', async () => {
      const template = await f.template({ items: [{ quantity: 5 }] });
      expectDeclared(`${base}/packageTemplates`, 'post', 201, template);
      const sold = await f.sellRaw({ template: template.id });
      expect(sold.status).toBe(200);
      expectDeclared(`${base}/packages:sell`, 'post', 200, sold.json);
      const id = sold.json.packageInfo.id;
      expect(sold.json).toMatchObject({ imported: false, sourceId: id, freeze: null, invoice: null });

      const redeemed = await f.redeem(id, { quantity: 2 });
      expect(redeemed.status).toBe(200);
      expectDeclared(`${base}/packages/{packageId}:redeem`, 'post', 200, redeemed.json);
      const held = await f.hold(id, { quantity: 1 });
      const one = await f.call('GET', `/packages/${id}`);
      expect(one.json.holds).toHaveLength(1);
      expectDeclared(`${base}/packages/{packageId}`, 'get', 200, one.json);
      expect(held).toBeDefined();

      const list = await f.call('GET', `/customers/${f.customerId}/packages`);
      expect(list.status).toBe(200);
      expectDeclared(`${base}/customers/{customerId}/packages`, 'get', 200, list.json);
      const events = await f.call('GET', `/packages/${id}/events`);
      expectDeclared(`${base}/packages/{packageId}/events`, 'get', 200, events.json);
      const cancelled = await f.call('POST', `/packages/${id}:cancel`, { refund: 'PRORATED', reason: 'moved away' });
      expect(cancelled.status).toBe(200);
      expectDeclared(`${base}/packages/{packageId}:cancel`, 'post', 200, cancelled.json);
      const report = await f.call('GET', '/reports/liability');
      expectDeclared(`${base}/reports/liability`, 'get', 200, report.json);
    });

    it('errors, on each surface', async () => {
      const missing = await f.call('GET', '/packages/pkg_missing');
      expect(missing.status).toBe(404);
      expectDeclared(`${base}/packages/{packageId}`, 'get', 404, missing.json);
      const bad = await f.call('POST', '/packages:sell', { templateId: 'tpl_x' });
      expect(bad.status).toBe(400);
      expectDeclared(`${base}/packages:sell`, 'post', 400, bad.json);
      expect(bad.json.details[0]['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');

      const zenoti = await t.app.inject({ method: 'GET', url: `/v1/guests/${f.customerId}/Packages?center_id=${f.businessId}&page_size=500`, headers: f.c.auth });
      expect(zenoti.statusCode).toBe(422);
      expectDeclared('/v1/guests/{guest_id}/Packages', 'get', 422, zenoti.json());
    });

    it('the compatibility surfaces', async () => {
      await f.sell();
      const zenoti = await t.app.inject({ method: 'GET', url: `/v1/guests/${f.customerId}/Packages?center_id=${f.businessId}`, headers: f.c.auth });
      expect(zenoti.statusCode).toBe(200);
      expect(zenoti.json().packages.length).toBeGreaterThan(0);
      expectDeclared('/v1/guests/{guest_id}/Packages', 'get', 200, zenoti.json());
      const moego = await t.app.inject({ method: 'POST', url: '/v1/packages:list', headers: f.c.auth, payload: { companyId: f.c.id, customerIds: [f.customerId] } });
      expect(moego.statusCode).toBe(200);
      expectDeclared('/v1/packages:list', 'post', 200, moego.json());
    });
  });
});
