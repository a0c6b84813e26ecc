import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp, type TestCompany } from '../support/app.js';
import { formatInstant } from '../../src/domain/calendar.js';

type Kind = 'businesses' | 'customers' | 'staff' | 'services' | 'products';

/** A valid body for each kind, and a second one that changes something. */
const BODIES: Record<Kind, { first: Record<string, unknown>; second: Record<string, unknown> }> = {
  businesses: {
    first: { name: 'Downtown Grooming', timeZone: 'America/Los_Angeles', currencyCode: 'USD' },
    second: { name: 'Downtown Grooming & Spa', timeZone: 'America/New_York', currencyCode: 'USD' },
  },
  customers: {
    first: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+1 (555) 123-4567' },
    second: { firstName: 'Ada', lastName: 'King', email: null, phone: null },
  },
  staff: {
    first: { firstName: 'Grace', lastName: 'Hopper' },
    second: { firstName: 'Grace', lastName: 'Murray Hopper' },
  },
  services: {
    first: { name: 'Bath', durationMinutes: 30, price: { currencyCode: 'USD', units: 30, nanos: 0 } },
    second: { name: 'Bath and brush', durationMinutes: 45, price: { currencyCode: 'USD', units: '42', nanos: 500_000_000 } },
  },
  products: {
    first: { name: 'Shampoo', price: { currencyCode: 'USD', units: 12 } },
    second: { name: 'Shampoo XL', price: { currencyCode: 'USD', units: 18, nanos: 990_000_000 } },
  },
};

/** What a GET answers for a body, every field present. */
function expected(kind: Kind, companyId: string, id: string, body: Record<string, any>): Record<string, unknown> {
  const money = (m: any) => ({ currencyCode: m.currencyCode, units: Number(m.units), nanos: m.nanos ?? 0 });
  switch (kind) {
    case 'businesses':
      return { id, companyId, ...body };
    case 'customers':
      return { id, companyId, firstName: body.firstName, lastName: body.lastName, email: body.email ?? '', phone: body.phone ?? '' };
    case 'staff':
      return { id, companyId, ...body };
    case 'services':
      return { id, companyId, name: body.name, durationMinutes: body.durationMinutes, price: money(body.price), businessIds: body.businessIds ?? [], archived: false, archiveTime: null };
    case 'products':
      return { id, companyId, name: body.name, price: money(body.price), businessIds: body.businessIds ?? [], archived: false, archiveTime: null };
  }
}

const KINDS = Object.keys(BODIES) as Kind[];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function fieldViolations(json: any): { field: string; description: string }[] {
  const detail = (json?.details ?? []).find((d: any) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest');
  return detail?.fieldViolations ?? [];
}

describe.each(ENGINES)('reference data over HTTP on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());

  describe.each(KINDS)('%s', (kind) => {
    it('creates a record with PUT and reads it back with GET, every field present', async () => {
      const c = await t.newCompany();
      const id = `${kind}_1`;
      const put = await c.call('PUT', `/${kind}/${id}`, BODIES[kind].first);
      expect(put.status).toBe(200);
      const now = formatInstant(t.clock.now());
      const want = { ...expected(kind, c.id, id, BODIES[kind].first), createTime: now, updateTime: now };
      expect(put.json).toEqual(want);
      const get = await c.call('GET', `/${kind}/${id}`);
      expect(get.status).toBe(200);
      expect(get.json).toEqual(want);
    });

    it('answers the same record to the same PUT twice, keeping createTime while updateTime follows the clock', async () => {
      const c = await t.newCompany();
      const id = `${kind}_twice`;
      const first = await c.call('PUT', `/${kind}/${id}`, BODIES[kind].first);
      t.clock.advance(90_000);
      const second = await c.call('PUT', `/${kind}/${id}`, BODIES[kind].first);
      expect(second.status).toBe(200);
      const { updateTime: u1, ...rest1 } = first.json;
      const { updateTime: u2, ...rest2 } = second.json;
      expect(rest2).toEqual(rest1);
      expect(Date.parse(u2) - Date.parse(u1)).toBe(90_000);
      expect(second.json.createTime).toBe(first.json.createTime);
      expect(second.json.createTime).toMatch(ISO);

      const list = await c.call('GET', `/${kind}`);
      expect(list.json[kind]).toHaveLength(1);
      expect(list.json[kind][0]).toEqual(second.json);
    });

    it('replaces the record with a changed PUT and keeps its createTime', async () => {
      const c = await t.newCompany();
      const id = `${kind}_changed`;
      const first = await c.call('PUT', `/${kind}/${id}`, BODIES[kind].first);
      t.clock.advance(60_000);
      const second = await c.call('PUT', `/${kind}/${id}`, BODIES[kind].second);
      expect(second.status).toBe(200);
      expect(second.json).toMatchObject(expected(kind, c.id, id, BODIES[kind].second));
      expect(second.json.createTime).toBe(first.json.createTime);
      expect((await c.call('GET', `/${kind}/${id}`)).json).toEqual(second.json);
    });

    it('walks every record exactly once, in id order, two at a time', async () => {
      const c = await t.newCompany();
      const ids = ['r05', 'r01', 'r10', 'r03', 'r07', 'r02', 'r09', 'r04', 'r08', 'r06', `r99${'x'.repeat(61)}`];
      for (const id of ids) expect((await c.call('PUT', `/${kind}/${id}`, BODIES[kind].first)).status).toBe(200);

      const seen: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const r = await c.call('GET', `/${kind}?pageSize=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
        expect(r.status).toBe(200);
        expect(r.json[kind].length).toBeLessThanOrEqual(2);
        expect(r.json.nextPageToken.length).toBeLessThanOrEqual(64);
        seen.push(...r.json[kind].map((x: { id: string }) => x.id));
        token = r.json.nextPageToken;
        pages++;
      } while (token && pages < 20);

      expect(seen).toEqual([...ids].sort());
      expect(pages).toBe(6);
    });

    it('reads the page token "2" as the second page', async () => {
      const c = await t.newCompany();
      for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) await c.call('PUT', `/${kind}/${id}`, BODIES[kind].first);
      const first = await c.call('GET', `/${kind}?pageSize=2&pageToken=1`);
      expect(first.json[kind].map((x: { id: string }) => x.id)).toEqual(['p1', 'p2']);
      const second = await c.call('GET', `/${kind}?pageSize=2&pageToken=2`);
      expect(second.status).toBe(200);
      expect(second.json[kind].map((x: { id: string }) => x.id)).toEqual(['p3', 'p4']);
      // Its next token carries on from there.
      const third = await c.call('GET', `/${kind}?pageSize=2&pageToken=${encodeURIComponent(second.json.nextPageToken)}`);
      expect(third.json[kind].map((x: { id: string }) => x.id)).toEqual(['p5']);
      expect(third.json.nextPageToken).toBe('');
      // Past the end is an empty page, not an error.
      const past = await c.call('GET', `/${kind}?pageSize=2&pageToken=9`);
      expect(past.json).toEqual({ [kind]: [], nextPageToken: '' });
    });

    it('answers 404 with code 5 for an id the company does not have', async () => {
      const c = await t.newCompany();
      const r = await c.call('GET', `/${kind}/nothing_here`);
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ code: 5, message: expect.stringContaining('nothing_here'), details: [] });
    });

    it('refuses an id of 65 characters or with a bad character, naming the id', async () => {
      const c = await t.newCompany();
      const param = { businesses: 'businessId', customers: 'customerId', staff: 'staffId', services: 'serviceId', products: 'productId' }[kind];
      for (const id of ['a'.repeat(65), 'has.dot', 'has%20space', 'ünï']) {
        const r = await c.call('PUT', `/${kind}/${id}`, BODIES[kind].first);
        expect(r.status, id).toBe(400);
        expect(r.json.code).toBe(3);
        expect(fieldViolations(r.json).map((v) => v.field)).toContain(param);
      }
      // 64 is the limit, and it is allowed.
      expect((await c.call('PUT', `/${kind}/${'a'.repeat(64)}`, BODIES[kind].first)).status).toBe(200);
    });

    it('refuses a name of 201 characters and takes one of 200', async () => {
      const c = await t.newCompany();
      const field = kind === 'customers' || kind === 'staff' ? 'firstName' : 'name';
      const long = await c.call('PUT', `/${kind}/x1`, { ...BODIES[kind].first, [field]: 'n'.repeat(201) });
      expect(long.status).toBe(400);
      expect(fieldViolations(long.json).map((v) => v.field)).toEqual([field]);
      expect((await c.call('PUT', `/${kind}/x1`, { ...BODIES[kind].first, [field]: 'n'.repeat(200) })).status).toBe(200);
    });

    it('refuses a body missing a required field, naming it', async () => {
      const c = await t.newCompany();
      const field = kind === 'customers' || kind === 'staff' ? 'firstName' : 'name';
      const { [field]: _dropped, ...body } = BODIES[kind].first;
      const r = await c.call('PUT', `/${kind}/x1`, body);
      expect(r.status).toBe(400);
      expect(fieldViolations(r.json)).toContainEqual({ field, description: 'is required' });
      expect((await c.call('GET', `/${kind}/x1`)).status).toBe(404);
    });
  });

  describe('validation of reference fields', () => {
    let c: TestCompany;
    beforeAll(async () => {
      c = await t.newCompany();
      await c.call('PUT', '/businesses/bus_a', BODIES.businesses.first);
    });

    const refused = async (path: string, body: unknown, field: string) => {
      const r = await c.call('PUT', path, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.code).toBe(3);
      expect(fieldViolations(r.json).map((v) => v.field)).toContain(field);
      expect((await c.call('GET', path)).status).toBe(404);
    };

    it('refuses a time zone that is not IANA', async () => {
      for (const timeZone of ['Mars/Olympus_Mons', 'PST8PDT-nope', 'GMT+25', ' ']) {
        await refused('/businesses/bus_tz', { name: 'B', timeZone, currencyCode: 'USD' }, 'timeZone');
      }
    });

    it('refuses a currency that is not ISO 4217', async () => {
      for (const currencyCode of ['XYZ', 'usd', 'US', 'DOLLARS']) {
        await refused('/businesses/bus_cur', { name: 'B', timeZone: 'UTC', currencyCode }, 'currencyCode');
      }
    });

    it('refuses a negative price, as a number or a decimal string', async () => {
      await refused('/services/srv_neg', { name: 'S', durationMinutes: 10, price: { currencyCode: 'USD', units: -1 } }, 'price');
      await refused('/products/prd_neg', { name: 'P', price: { currencyCode: 'USD', units: '-5' } }, 'price');
      await refused('/products/prd_negn', { name: 'P', price: { currencyCode: 'USD', units: 0, nanos: -10_000_000 } }, 'price');
    });

    it('refuses a price with an unknown currency or finer than its minor unit', async () => {
      await refused('/products/prd_c', { name: 'P', price: { currencyCode: 'ZZZ', units: 1 } }, 'price.currencyCode');
      await refused('/products/prd_f', { name: 'P', price: { currencyCode: 'USD', units: 1, nanos: 1 } }, 'price.nanos');
      await refused('/products/prd_j', { name: 'P', price: { currencyCode: 'JPY', units: 1, nanos: 500_000_000 } }, 'price.nanos');
    });

    it('refuses a fractional or out-of-range duration', async () => {
      const price = { currencyCode: 'USD', units: 1 };
      await refused('/services/srv_d1', { name: 'S', durationMinutes: 1.5, price }, 'durationMinutes');
      await refused('/services/srv_d2', { name: 'S', durationMinutes: -1, price }, 'durationMinutes');
      await refused('/services/srv_d3', { name: 'S', durationMinutes: 24 * 60 + 1, price }, 'durationMinutes');
    });

    it('refuses businessIds naming a business the company does not have', async () => {
      const price = { currencyCode: 'USD', units: 5 };
      await refused('/services/srv_b', { name: 'S', durationMinutes: 10, price, businessIds: ['bus_a', 'bus_nope'] }, 'businessIds');
      await refused('/products/prd_b', { name: 'P', price, businessIds: ['bus_nope'] }, 'businessIds');
    });

    it("refuses another company's business in businessIds", async () => {
      const other = await t.newCompany();
      await other.call('PUT', '/businesses/bus_other', BODIES.businesses.first);
      await refused('/products/prd_x', { name: 'P', price: { currencyCode: 'USD', units: 5 }, businessIds: ['bus_other'] }, 'businessIds');
    });

    it('keeps businessIds once each, and empty means everywhere', async () => {
      const price = { currencyCode: 'USD', units: 5 };
      const some = await c.call('PUT', '/services/srv_some', { name: 'S', durationMinutes: 10, price, businessIds: ['bus_a', 'bus_a'] });
      expect(some.status).toBe(200);
      expect(some.json.businessIds).toEqual(['bus_a']);
      const everywhere = await c.call('PUT', '/products/prd_all', { name: 'P', price, businessIds: [] });
      expect(everywhere.json.businessIds).toEqual([]);
    });

    it('refuses a malformed email', async () => {
      await refused('/customers/cus_mail', { firstName: 'A', lastName: 'B', email: 'not an email' }, 'email');
    });

    it('refuses a list of more than 500 businessIds', async () => {
      const businessIds = Array.from({ length: 501 }, (_, i) => `bus_${i}`);
      await refused('/products/prd_many', { name: 'P', price: { currencyCode: 'USD', units: 5 }, businessIds }, 'businessIds');
    });

    it('refuses a page size outside 1–500 and a page token it did not issue', async () => {
      for (const q of ['pageSize=0', 'pageSize=501', 'pageSize=abc', 'pageToken=not!a!token', `pageToken=${'x'.repeat(65)}`]) {
        const r = await c.call('GET', `/customers?${q}`);
        expect(r.status, q).toBe(400);
        expect(r.json.code).toBe(3);
        expect(fieldViolations(r.json).map((v) => v.field)[0]).toMatch(/^page(Size|Token)$/);
      }
    });
  });

  describe('customer search', () => {
    let c: TestCompany;
    const ids = (r: { json: any }) => r.json.customers.map((x: { id: string }) => x.id);
    const search = (query: string, extra = '') => c.call('GET', `/customers?query=${encodeURIComponent(query)}${extra}`);

    beforeAll(async () => {
      c = await t.newCompany();
      const people: [string, Record<string, unknown>][] = [
        ['cus_ada', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@analytical.example', phone: '+1 (555) 123-4567' }],
        ['cus_alan', { firstName: 'Alan', lastName: 'Turing', email: 'alan@bletchley.example', phone: '020 7946 0018' }],
        ['cus_grace', { firstName: 'Grace', lastName: 'Hopper', email: null, phone: '555.987.6543' }],
        ['cus_pct', { firstName: 'Percy', lastName: '100%_Pure', email: 'percy@example.com' }],
        ['cus_plain', { firstName: 'Plain', lastName: '100xxPure', email: 'plain@example.com' }],
        ['cus_und', { firstName: 'Una', lastName: 'Der_Score' }],
        ['cus_und2', { firstName: 'Una', lastName: 'DerxScore' }],
      ];
      for (const [id, body] of people) expect((await c.call('PUT', `/customers/${id}`, body)).status).toBe(200);
    });

    it('finds customers by part of a name, whatever the case', async () => {
      expect(ids(await search('love'))).toEqual(['cus_ada']);
      expect(ids(await search('LOVELACE'))).toEqual(['cus_ada']);
      expect(ids(await search('aDa'))).toEqual(['cus_ada']);
      expect(ids(await search('a'))).toEqual(expect.arrayContaining(['cus_ada', 'cus_alan', 'cus_grace', 'cus_und']));
    });

    it('finds a customer by email', async () => {
      expect(ids(await search('alan@bletchley.example'))).toEqual(['cus_alan']);
      expect(ids(await search('BLETCHLEY'))).toEqual(['cus_alan']);
    });

    it('finds a customer by phone typed with separators', async () => {
      expect(ids(await search('555-12'))).toEqual(['cus_ada']);
      expect(ids(await search('(555) 123'))).toEqual(['cus_ada']);
      expect(ids(await search('+1 555 123 4567'))).toEqual(['cus_ada']);
      expect(ids(await search('555'))).toEqual(['cus_ada', 'cus_grace']);
      expect(ids(await search('987.65'))).toEqual(['cus_grace']);
      expect(ids(await search('7946 0018'))).toEqual(['cus_alan']);
    });

    it('finds nobody for a query that matches nothing, and ignores surrounding spaces', async () => {
      expect((await search('zebra')).json).toEqual({ customers: [], nextPageToken: '' });
      expect(ids(await search('  hopper  '))).toEqual(['cus_grace']);
    });

    it('lists everyone for an empty query', async () => {
      expect(ids(await search(''))).toHaveLength(7);
    });

    // SQLite's LIKE has no escape character unless the query names one; see the test report.
    it('reads % and _ in the query as themselves, not as wildcards', async () => {
      expect(ids(await search('100%_'))).toEqual(['cus_pct']);
      expect(ids(await search('%'))).toEqual(['cus_pct']);
      expect(ids(await search('der_'))).toEqual(['cus_und']);
      expect(ids(await search('_'))).toEqual(['cus_pct', 'cus_und']);
    });

    it('does not read % and _ as wildcards that match other customers', async () => {
      expect(ids(await search('100%_'))).not.toContain('cus_plain');
      expect(ids(await search('der_'))).not.toContain('cus_und2');
      expect(ids(await search('%'))).not.toContain('cus_plain');
    });

    it('pages through search results keeping the query', async () => {
      const seen: string[] = [];
      let token = '';
      do {
        const r = await search('a', `&pageSize=1${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
        expect(r.status).toBe(200);
        seen.push(...ids(r));
        token = r.json.nextPageToken;
      } while (token);
      expect(seen).toEqual(ids(await search('a')));
    });

    it("never finds another company's customers", async () => {
      const other = await t.newCompany();
      await other.call('PUT', '/customers/cus_ada2', { firstName: 'Ada', lastName: 'Lovelace' });
      expect(ids(await search('lovelace'))).toEqual(['cus_ada']);
    });

    it('refuses a query over 200 characters', async () => {
      const r = await search('q'.repeat(201));
      expect(r.status).toBe(400);
      expect(fieldViolations(r.json).map((v) => v.field)).toContain('query');
    });
  });
});

describe.each(ENGINES)('archiving services and products over HTTP on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());

  const ARCHIVABLE = ['services', 'products'] as const;
  const ids = (r: { json: any }, kind: string) => r.json[kind].map((x: { id: string }) => x.id);

  describe.each(ARCHIVABLE)('%s', (kind) => {
    it('archives one, answering it archived since now, and restores it', async () => {
      const c = await t.newCompany();
      const put = await c.call('PUT', `/${kind}/a1`, BODIES[kind].first);
      expect((await c.call('GET', `/${kind}/a1`)).json).toMatchObject({ archived: false, archiveTime: null });
      t.clock.advance(60_000);
      const archived = await c.call('POST', `/${kind}/a1:archive`, {});
      expect(archived.status).toBe(200);
      const now = formatInstant(t.clock.now());
      expect(archived.json).toEqual({ ...put.json, archived: true, archiveTime: now, updateTime: now });
      // GET one always answers it, archived or not (and no cache keeps the record from before).
      expect((await c.call('GET', `/${kind}/a1`)).json).toEqual(archived.json);

      t.clock.advance(60_000);
      const restored = await c.call('POST', `/${kind}/a1:restore`);
      expect(restored.status).toBe(200);
      expect(restored.json).toEqual({ ...put.json, archived: false, archiveTime: null, updateTime: formatInstant(t.clock.now()) });
      expect((await c.call('GET', `/${kind}/a1`)).json).toEqual(restored.json);
      expect(ids(await c.call('GET', `/${kind}`), kind)).toEqual(['a1']);
    });

    it('answers the entity unchanged to an archive of an archived one and a restore of an active one', async () => {
      const c = await t.newCompany();
      const put = await c.call('PUT', `/${kind}/i1`, BODIES[kind].first);
      t.clock.advance(1_000);
      const restoredActive = await c.call('POST', `/${kind}/i1:restore`, {});
      expect(restoredActive.status).toBe(200);
      expect(restoredActive.json).toEqual(put.json);

      const first = await c.call('POST', `/${kind}/i1:archive`);
      t.clock.advance(1_000);
      const second = await c.call('POST', `/${kind}/i1:archive`, {});
      expect(second.status).toBe(200);
      expect(second.json).toEqual(first.json);
      expect(second.json.archiveTime).toBe(first.json.archiveTime);

      const restored = await c.call('POST', `/${kind}/i1:restore`);
      t.clock.advance(1_000);
      const again = await c.call('POST', `/${kind}/i1:restore`);
      expect(again.status).toBe(200);
      expect(again.json).toEqual(restored.json);
    });

    it('leaves archived ones out of the list unless includeArchived=true, paging over what it lists', async () => {
      const c = await t.newCompany();
      for (const id of ['l1', 'l2', 'l3', 'l4', 'l5']) expect((await c.call('PUT', `/${kind}/${id}`, BODIES[kind].first)).status).toBe(200);
      for (const id of ['l2', 'l4']) expect((await c.call('POST', `/${kind}/${id}:archive`)).status).toBe(200);

      expect(ids(await c.call('GET', `/${kind}`), kind)).toEqual(['l1', 'l3', 'l5']);
      expect(ids(await c.call('GET', `/${kind}?includeArchived=false`), kind)).toEqual(['l1', 'l3', 'l5']);
      const all = await c.call('GET', `/${kind}?includeArchived=true`);
      expect(ids(all, kind)).toEqual(['l1', 'l2', 'l3', 'l4', 'l5']);
      expect(all.json[kind].map((x: { archived: boolean }) => x.archived)).toEqual([false, true, false, true, false]);

      // Pages are full while more active ones exist, and the token carries on past archived rows.
      const first = await c.call('GET', `/${kind}?pageSize=2`);
      expect(ids(first, kind)).toEqual(['l1', 'l3']);
      const second = await c.call('GET', `/${kind}?pageSize=2&pageToken=${encodeURIComponent(first.json.nextPageToken)}`);
      expect(ids(second, kind)).toEqual(['l5']);
      expect(second.json.nextPageToken).toBe('');
      const byNumber = await c.call('GET', `/${kind}?pageSize=2&pageToken=2&includeArchived=true`);
      expect(ids(byNumber, kind)).toEqual(['l3', 'l4']);

      expectBadQuery(await c.call('GET', `/${kind}?includeArchived=perhaps`), 'includeArchived');
    });

    it('keeps an archived one archived through a PUT, which changes its fields only', async () => {
      const c = await t.newCompany();
      await c.call('PUT', `/${kind}/u1`, BODIES[kind].first);
      const archived = await c.call('POST', `/${kind}/u1:archive`);
      t.clock.advance(30_000);
      const put = await c.call('PUT', `/${kind}/u1`, BODIES[kind].second);
      expect(put.status).toBe(200);
      expect(put.json).toMatchObject({ ...expected(kind, c.id, 'u1', BODIES[kind].second), archived: true, archiveTime: archived.json.archiveTime });
      expect((await c.call('GET', `/${kind}/u1`)).json).toEqual(put.json);
      expect(ids(await c.call('GET', `/${kind}`), kind)).toEqual([]);
    });

    it('answers NOT_FOUND as google.rpc.Status for an id the company does not have', async () => {
      const c = await t.newCompany();
      const other = await t.newCompany();
      await other.call('PUT', `/${kind}/theirs`, BODIES[kind].first);
      for (const path of [`/${kind}/nothing_here:archive`, `/${kind}/nothing_here:restore`, `/${kind}/theirs:archive`]) {
        const r = await c.call('POST', path);
        expect(r.status, path).toBe(404);
        expect(r.json).toMatchObject({ code: 5, message: expect.any(String), details: [] });
      }
      expect((await other.call('GET', `/${kind}/theirs`)).json.archived).toBe(false);
    });

    it('lets only an ADMIN archive and restore (STAFF and VIEWER: PERMISSION_DENIED)', async () => {
      const c = await t.newCompany();
      await c.call('PUT', `/${kind}/r1`, BODIES[kind].first);
      for (const role of ['STAFF', 'VIEWER'] as const) {
        const key = await c.newKey(role);
        for (const verb of ['archive', 'restore']) {
          const r = await c.call('POST', `/${kind}/r1:${verb}`, {}, key.auth);
          expect(r.status, `${role} ${verb}`).toBe(403);
          expect(r.json.code).toBe(7);
        }
        expect((await c.call('GET', `/${kind}/r1`, undefined, key.auth)).status).toBe(200);
      }
      expect((await c.call('GET', `/${kind}/r1`)).json.archived).toBe(false);
      // Another company's ADMIN is refused too.
      const other = await t.newCompany();
      const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${c.id}/${kind}/r1:archive`, headers: other.auth });
      expect(r.statusCode).toBe(403);
    });
  });
});

function expectBadQuery(r: { status: number; json: any }, field: string): void {
  expect(r.status).toBe(400);
  expect(r.json.code).toBe(3);
  expect(fieldViolations(r.json).map((v) => v.field)).toContain(field);
}
