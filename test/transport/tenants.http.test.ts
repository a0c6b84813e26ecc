import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, uniqueId, type TestApp } from '../support/app.js';
import { sqliteFile } from '../../src/storage/database.js';
import { expectBadField } from '../support/factories.js';

describe.each(ENGINES)('companies and keys on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it('answers 401 UNAUTHENTICATED without a key, with an unknown key and with a malformed header', async () => {
    const c = await t.newCompany();
    for (const headers of [{}, { authorization: 'Bearer pck.nobody.xyz' }, { authorization: 'Bearer' }, { authorization: 'Token abc' }] as Record<string, string>[]) {
      const r = await get(`/v1/companies/${c.id}/customers`, headers);
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ code: 16 });
    }
  });

  it('accepts the key as Bearer, as Basic (MoeGo) and as apikey (Zenoti)', async () => {
    const c = await t.newCompany();
    for (const authorization of [`Bearer ${c.key}`, `Basic ${Buffer.from(c.key).toString('base64')}`, `Basic ${Buffer.from(`${c.key}:`).toString('base64')}`, `apikey ${c.key}`]) {
      const r = await get('/v1/me', { authorization });
      expect(r.statusCode, authorization).toBe(200);
      expect(r.json()).toMatchObject({ companyId: c.id, role: 'ADMIN' });
    }
  });

  it('refuses a revoked key at once', async () => {
    const c = await t.newCompany();
    const staff = await c.newKey('STAFF');
    expect((await get('/v1/me', staff.auth)).statusCode).toBe(200);
    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/companies/${c.id}/apiKeys/${staff.id}`, headers: c.auth });
    expect(revoked.statusCode).toBe(200);
    const after = await get('/v1/me', staff.auth);
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toMatch(/revoked/);
  });

  it("answers 403 for another company's path, whether it exists or not", async () => {
    const a = await t.newCompany();
    const b = await t.newCompany();
    for (const companyId of [b.id, 'cmp_does_not_exist']) {
      const r = await get(`/v1/companies/${companyId}/customers`, a.auth);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ code: 7 });
    }
  });

  it('lets a VIEWER read but not write, and STAFF not manage the catalog or keys', async () => {
    const c = await t.newCompany();
    const viewer = await c.newKey('VIEWER');
    const staff = await c.newKey('STAFF');
    const customer = { firstName: 'Ada', lastName: 'Lovelace' };
    const service = { name: 'Bath', durationMinutes: 30, price: { currencyCode: 'USD', units: 20 } };
    const put = (url: string, payload: object, headers: Record<string, string>) => t.app.inject({ method: 'PUT', url, payload, headers });
    expect((await put(`/v1/companies/${c.id}/customers/cus_1`, customer, viewer.auth)).statusCode).toBe(403);
    expect((await put(`/v1/companies/${c.id}/customers/cus_1`, customer, staff.auth)).statusCode).toBe(200);
    expect((await get(`/v1/companies/${c.id}/customers/cus_1`, viewer.auth)).statusCode).toBe(200);
    expect((await put(`/v1/companies/${c.id}/services/srv_1`, service, staff.auth)).statusCode).toBe(403);
    const keyByStaff = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/apiKeys`, payload: { role: 'ADMIN' }, headers: staff.auth });
    expect(keyByStaff.statusCode).toBe(403);
  });

  it('lets an ADMIN key issue keys for its company and lists them without their text', async () => {
    const c = await t.newCompany();
    const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/apiKeys`, payload: { role: 'VIEWER' }, headers: c.auth });
    expect(r.statusCode).toBe(201);
    const issued = r.json();
    expect(issued).toMatchObject({ role: 'VIEWER', id: expect.stringMatching(/^key_/), key: expect.stringMatching(/^pck\./) });
    const list = await get(`/v1/companies/${c.id}/apiKeys`, c.auth);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(issued.key);
    expect(list.json().apiKeys.map((k: { id: string }) => k.id)).toContain(issued.id);
  });

  it('names a key, answers and lists its name, and shows it in /v1/me', async () => {
    const c = await t.newCompany();
    const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/apiKeys`, payload: { role: 'STAFF', name: 'Front desk iPad' }, headers: c.auth });
    expect(r.statusCode).toBe(201);
    const issued = r.json();
    expect(issued).toMatchObject({ id: expect.stringMatching(/^key_/), key: expect.stringMatching(/^pck\./), role: 'STAFF', name: 'Front desk iPad' });
    const list = await get(`/v1/companies/${c.id}/apiKeys`, c.auth);
    expect(list.json().apiKeys.find((k: { id: string }) => k.id === issued.id)).toMatchObject({ id: issued.id, role: 'STAFF', name: 'Front desk iPad', prefix: expect.any(String) });
    expect(list.body).not.toContain(issued.key);
    expect((await get('/v1/me', { authorization: `Bearer ${issued.key}` })).json()).toEqual({
      companyId: c.id,
      keyId: issued.id,
      name: 'Front desk iPad',
      role: 'STAFF',
      businessIds: [],
    });
  });

  it('gives a key issued without a name the empty name', async () => {
    const c = await t.newCompany();
    const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/apiKeys`, payload: { role: 'VIEWER' }, headers: c.auth });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ role: 'VIEWER', name: '' });
    const listed = (await get(`/v1/companies/${c.id}/apiKeys`, c.auth)).json().apiKeys.find((k: { id: string }) => k.id === r.json().id);
    expect(listed).toHaveProperty('name', '');
    expect((await get('/v1/me', { authorization: `Bearer ${r.json().key}` })).json()).toMatchObject({ name: '' });
  });

  it('takes a 200-character name and refuses a 201-character one with INVALID_ARGUMENT naming the field, issuing nothing', async () => {
    const c = await t.newCompany();
    const longest = 'é'.repeat(200);
    const ok = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/apiKeys`, payload: { role: 'STAFF', name: longest }, headers: c.auth });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().name).toBe(longest);
    const before = (await get(`/v1/companies/${c.id}/apiKeys`, c.auth)).json().apiKeys.length;

    const tooLong = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/apiKeys`, payload: { role: 'STAFF', name: 'x'.repeat(201) }, headers: c.auth });

    expectBadField({ status: tooLong.statusCode, json: tooLong.json(), headers: {} }, 'name');
    expect(tooLong.body).not.toMatch(/pck\./);
    expect((await get(`/v1/companies/${c.id}/apiKeys`, c.auth)).json().apiKeys.length).toBe(before);
  });

  it('shows the master key as such in /v1/me', async () => {
    expect((await get('/v1/me', { authorization: `Bearer ${MASTER_KEY}` })).json()).toEqual({ companyId: '', keyId: 'master', name: 'master key', role: 'MASTER', businessIds: [] });
  });

  it('refuses a key for a business the company does not have, and an unknown role', async () => {
    const c = await t.newCompany();
    const bad = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/apiKeys`, payload: { role: 'STAFF', businessIds: ['bus_x'] }, headers: c.auth });
    expect(bad.statusCode).toBe(400);
    const role = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/apiKeys`, payload: { role: 'OWNER' }, headers: c.auth });
    expect(role.statusCode).toBe(400);
    expect(role.json().details[0].fieldViolations[0].field).toBe('role');
  });

  it('limits a key to its businesses', async () => {
    const c = await t.newCompany();
    for (const b of ['bus_a', 'bus_b']) {
      await c.call('PUT', `/businesses/${b}`, { name: b, timeZone: 'UTC', currencyCode: 'USD' });
    }
    const limited = await c.newKey('STAFF', ['bus_a']);
    expect((await get('/v1/me', limited.auth)).json().businessIds).toEqual(['bus_a']);
  });

  it('lets only the master key create companies, and refuses a taken id with 409', async () => {
    const c = await t.newCompany();
    const byAdmin = await t.app.inject({ method: 'POST', url: '/v1/companies', payload: { id: uniqueId('cmp'), name: 'x' }, headers: c.auth });
    expect(byAdmin.statusCode).toBe(403);
    const again = await t.app.inject({ method: 'POST', url: '/v1/companies', payload: { id: c.id, name: 'x' }, headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 6 });
  });

  it('answers 404 when the master key names a company that does not exist', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/companies/cmp_nope/apiKeys', payload: { role: 'ADMIN' }, headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(r.statusCode).toBe(404);
  });

  it.runIf(engine === 'sqlite')('keeps no key text in the data files', async () => {
    const c = await t.newCompany();
    await c.newKey('STAFF');
    const dir = t.testStore.database.dataDir;
    await t.testStore.db.kysely.selectFrom('companies').selectAll().execute();
    const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
    expect(files).toContain(sqliteFile(dir));
    const secret = c.key.split('.')[2]!;
    for (const file of files) expect(fs.readFileSync(file).includes(Buffer.from(secret))).toBe(false);
  });
});
