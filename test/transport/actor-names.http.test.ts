// The history names who did what: a staff member by "First Last", a key by its name, the sweeper as "system".
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, type TestApp } from '../support/app.js';
import { makeFactory, type Factory } from '../support/factories.js';
import { sweepLapsedHolds } from '../../src/application/sweeper.js';

const NOW = '2026-03-10T15:00:00Z';

describe.each(ENGINES)('actor names in the history on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.parse(NOW)));
  afterEach(() => vi.restoreAllMocks());

  /** Issues a key of the factory's company with this name; answers its id and auth header. */
  async function namedKey(f: Factory, role: 'ADMIN' | 'STAFF', name?: string) {
    const r = await f.call('POST', '/apiKeys', { role, ...(name === undefined ? {} : { name }) });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return { id: r.json.id as string, auth: { authorization: `Bearer ${r.json.key}` } };
  }

  it("shows the staff member's name for a redemption made for them, beside the key", async () => {
    const f = await makeFactory(t);
    expect((await f.call('PUT', '/staff/stf_jo', { firstName: 'Jo', lastName: 'Groomer' })).status).toBe(200);
    const desk = await namedKey(f, 'STAFF', 'Front desk iPad');
    const pkg = await f.sell();

    const r = await f.redeem(pkg.packageInfo.id, { staffId: 'stf_jo' }, desk.auth);

    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const redeemed = (await f.events(pkg.packageInfo.id)).find((e) => e.type === 'REDEEMED');
    expect(redeemed).toMatchObject({ actor: desk.id, staffId: 'stf_jo', actorName: 'Jo Groomer' });
  });

  it("shows a key's name for what it did without a staff member, and its id when it has no name", async () => {
    const f = await makeFactory(t);
    const desk = await namedKey(f, 'STAFF', 'Front desk iPad');
    const unnamed = await namedKey(f, 'STAFF');
    const pkg = await f.sell({}); // by the factory's ADMIN key, which has no name
    expect((await f.redeem(pkg.packageInfo.id, {}, desk.auth)).status).toBe(200);
    expect((await f.redeem(pkg.packageInfo.id, {}, unnamed.auth)).status).toBe(200);

    const events = await f.events(pkg.packageInfo.id);

    const adminId = events[0].actor as string;
    expect(events.map((e) => [e.type, e.actor, e.actorName])).toEqual([
      ['SOLD', adminId, adminId],
      ['REDEEMED', desk.id, 'Front desk iPad'],
      ['REDEEMED', unnamed.id, unnamed.id],
    ]);
    expect(adminId).toMatch(/^key_/);
  });

  it('keeps the name of a key after it is revoked', async () => {
    const f = await makeFactory(t);
    const temp = await namedKey(f, 'STAFF', 'Temp tablet');
    const pkg = await f.sell();
    expect((await f.redeem(pkg.packageInfo.id, {}, temp.auth)).status).toBe(200);
    expect((await f.call('DELETE', `/apiKeys/${temp.id}`)).status).toBe(200);

    const redeemed = (await f.events(pkg.packageInfo.id)).find((e) => e.type === 'REDEEMED');

    expect(redeemed).toMatchObject({ actor: temp.id, actorName: 'Temp tablet' });
  });

  it('names the master key "master key" and the sweeper "system"', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell();
    const master = { authorization: `Bearer ${MASTER_KEY}` };
    const held = await f.redeem(pkg.packageInfo.id, { hold: true, holdExpireTime: '2026-03-10T18:00:00Z' }, master);
    expect(held.status, JSON.stringify(held.json)).toBe(200);
    t.clock.set(Date.parse('2026-03-10T18:00:00Z'));
    expect(await sweepLapsedHolds(t.deps)).toBeGreaterThanOrEqual(1);

    const events = await f.events(pkg.packageInfo.id);

    expect(events.slice(1).map((e) => [e.type, e.actor, e.actorName])).toEqual([
      ['HELD', 'master', 'master key'],
      ['HOLD_EXPIRED', 'system', 'system'],
    ]);
  });

  it('reads the names with one read of staff and one of keys, however many events', async () => {
    const f = await makeFactory(t);
    for (const [id, firstName] of [['stf_a', 'Ann'], ['stf_b', 'Ben']]) {
      expect((await f.call('PUT', `/staff/${id}`, { firstName, lastName: 'Shears' })).status).toBe(200);
    }
    const desk = await namedKey(f, 'STAFF', 'Front desk iPad');
    const pkg = await f.sell({ template: { items: [{ quantity: 10 }] } });
    for (const staffId of ['stf_a', 'stf_b', 'stf_a', undefined, undefined]) {
      expect((await f.redeem(pkg.packageInfo.id, staffId ? { staffId } : {}, desk.auth)).status).toBe(200);
    }
    const staffReads = vi.spyOn(t.deps.store.read.staff, 'getMany');
    const keyReads = vi.spyOn(t.deps.store.read.apiKeys, 'getMany');

    const events = await f.events(pkg.packageInfo.id);

    expect(events.map((e) => e.actorName)).toEqual([events[0].actor, 'Ann Shears', 'Ben Shears', 'Ann Shears', 'Front desk iPad', 'Front desk iPad']);
    expect(staffReads).toHaveBeenCalledTimes(1);
    expect(new Set(staffReads.mock.calls[0]![1])).toEqual(new Set(['stf_a', 'stf_b']));
    expect(keyReads).toHaveBeenCalledTimes(1);
    expect(new Set(keyReads.mock.calls[0]![1])).toEqual(new Set([events[0].actor, desk.id]));
  });
});
