// What one process changes, every other process sees on its next requests, although each caches the keys and
// reference records it has read: a revoked key is refused, an updated customer reads as updated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { SERVER_MASTER_KEY, client, startServer, type ServerProcess } from '../support/server-process.js';

describe.each(ENGINES)('caches across processes on %s', (engine) => {
  let db: TestDatabase;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    servers.push(await startServer({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
    servers.push(await startServer({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  });

  it("refuses a revoked key on the other process's next request", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const master = client(a.url, SERVER_MASTER_KEY);
    await master('POST', '/v1/companies', { id: 'cmp_rev', name: 'Rev' });
    const issued = (await master('POST', '/v1/companies/cmp_rev/apiKeys', { role: 'STAFF' })).json;
    const onB = client(b.url, issued.key);
    for (let i = 0; i < 3; i++) expect((await onB('GET', '/v1/me')).status).toBe(200); // now cached on B
    expect((await master('DELETE', `/v1/companies/cmp_rev/apiKeys/${issued.id}`)).status).toBe(200);
    const revokedAt = Date.now();
    let status = (await onB('GET', '/v1/me')).status;
    // PostgreSQL tells the other processes by NOTIFY, which arrives within milliseconds of the commit.
    while (status === 200 && Date.now() - revokedAt < 100) status = (await onB('GET', '/v1/me')).status;
    expect(status).toBe(401);
    expect((await client(a.url, issued.key)('GET', '/v1/me')).status).toBe(401);
  });

  it('shows a customer updated through one process on the next read through another', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const master = client(a.url, SERVER_MASTER_KEY);
    await master('POST', '/v1/companies', { id: 'cmp_ref', name: 'Ref' });
    const key = (await master('POST', '/v1/companies/cmp_ref/apiKeys', { role: 'ADMIN' })).json.key as string;
    const onA = client(a.url, key);
    const onB = client(b.url, key);
    await onA('PUT', '/v1/companies/cmp_ref/customers/cus_1', { firstName: 'Ada', lastName: 'Byron' });
    for (let i = 0; i < 3; i++) expect((await onB('GET', '/v1/companies/cmp_ref/customers/cus_1')).json.lastName).toBe('Byron');
    await onA('PUT', '/v1/companies/cmp_ref/customers/cus_1', { firstName: 'Ada', lastName: 'Lovelace' });
    const changedAt = Date.now();
    let seen = (await onB('GET', '/v1/companies/cmp_ref/customers/cus_1')).json.lastName;
    while (seen !== 'Lovelace' && Date.now() - changedAt < 100) seen = (await onB('GET', '/v1/companies/cmp_ref/customers/cus_1')).json.lastName;
    expect(seen).toBe('Lovelace');
    // and through the process that wrote it, at once
    await onA('PUT', '/v1/companies/cmp_ref/customers/cus_1', { firstName: 'Ada', lastName: 'King' });
    expect((await onA('GET', '/v1/companies/cmp_ref/customers/cus_1')).json.lastName).toBe('King');
  });
});
