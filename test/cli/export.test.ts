// export packages|events through the built CLI on each engine: to a file or stdout, exactly what the HTTP exports
// give, with a count on stderr.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, type TestApp } from '../support/app.js';
import { makeFactory } from '../support/factories.js';
import { linesOf, runCli } from './cli.js';

describe.each(ENGINES)('punchcard export on %s', (engine) => {
  let t: TestApp;
  let companyId: string;
  let businessId: string;
  let out: string;
  beforeAll(async () => {
    t = await createTestApp(engine, { now: Date.now() });
    const f = await makeFactory(t);
    companyId = f.c.id;
    businessId = f.businessId;
    const bath = await f.service({ name: 'Bath, "deluxe"' });
    for (let i = 0; i < 3; i++) {
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }, { serviceIds: [bath, f.serviceId], quantity: 2 }] }, invoice: { no: `INV-${i}` } });
      await f.redeemOk(pkg.packageInfo.id, { quantity: i + 1 });
      if (i === 1) await f.hold(pkg.packageInfo.id);
    }
    out = fs.mkdtempSync(path.join(t.testStore.database.dataDir, 'out-'));
  });
  afterAll(() => t.close());

  const http = async (url: string) => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/companies/${companyId}${url}`, headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(r.statusCode, r.body).toBe(200);
    return r.body;
  };

  it('writes the packages to a file exactly as the HTTP export gives them, with a count on stderr', async () => {
    const file = path.join(out, 'packages.csv');
    const r = await runCli(t.testStore.database, ['export', 'packages', '--company', companyId, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(linesOf(r.stderr)).toEqual([`exported 3 packages (6 rows) to ${file}`]);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(
      'source_id,customer_id,business_id,package_name,package_description,template_id,service_id,product_id,total,used,unit_price,item_value,price,currency,paid_amount,purchase_date,start_date,expiration_date,staff_id,invoice_no,customer_first_name,customer_last_name,customer_email,customer_phone,package_id,lifecycle,remaining,held,remaining_value',
    );
    expect(text).toBe(await http('/packages:export'));
    // No partial file is left beside it.
    expect(fs.readdirSync(out)).toEqual(['packages.csv']);
  });

  it('filters the packages by lifecycle and business as the HTTP export does, and refuses a bad lifecycle writing nothing', async () => {
    const file = path.join(out, 'active.csv');
    const r = await runCli(t.testStore.database, ['export', 'packages', '--company', companyId, '--out', file, '--lifecycle', 'ACTIVE']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(await http('/packages:export?lifecycle=ACTIVE'));
    const mine = await runCli(t.testStore.database, ['export', 'packages', '--company', companyId, '--business', businessId]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(await http(`/packages:export?businessId=${businessId}`));
    expect(mine.stdout.trim().split('\n')).toHaveLength(7);

    const bad = await runCli(t.testStore.database, ['export', 'packages', '--company', companyId, '--out', path.join(out, 'bad.csv'), '--lifecycle', 'ASLEEP']);
    expect(bad.code).toBe(1);
    expect(linesOf(bad.stderr)).toEqual([expect.stringMatching(/^punchcard: lifecycle: must be one of NOT_STARTED, ACTIVE, /)]);
    expect(fs.existsSync(path.join(out, 'bad.csv'))).toBe(false);
    fs.rmSync(file);
  });

  it('writes the history as CSV and as NDJSON, as the HTTP export gives them', async () => {
    const csvFile = path.join(out, 'events.csv');
    const csv = await runCli(t.testStore.database, ['export', 'events', '--company', companyId, '--out', csvFile]);
    expect(csv.code, csv.stderr).toBe(0);
    const text = fs.readFileSync(csvFile, 'utf8');
    expect(text.split('\n')[0]).toBe(
      'package_id,sequence,id,type,time,record_time,business_id,actor,actor_name,staff_id,redemption_id,package_service_id,quantity,total_remaining_quantity_after,currency,value_change,breakage_change,refund,details',
    );
    expect(text).toBe(await http('/events:export'));
    const events = text.trim().split('\n').length - 1;
    expect(events).toBe(7); // 3 sales, 3 redemptions, 1 hold
    expect(linesOf(csv.stderr)).toEqual([`exported ${events} events to ${csvFile}`]);

    const ndjson = await runCli(t.testStore.database, ['export', 'events', '--company', companyId, '--format', 'ndjson', '--out', path.join(out, 'events.ndjson')]);
    expect(ndjson.code, ndjson.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'events.ndjson'), 'utf8')).toBe(await http('/events:export?format=ndjson'));
  });

  it('writes to stdout without --out, the count still on stderr', async () => {
    const r = await runCli(t.testStore.database, ['export', 'events', '--company', companyId, '--format', 'ndjson']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(await http('/events:export?format=ndjson'));
    expect(linesOf(r.stderr)).toEqual(['exported 7 events to stdout']);
  });

  it('refuses an unknown company and a folder that does not exist, with one line', async () => {
    const nobody = await runCli(t.testStore.database, ['export', 'events', '--company', 'cmp_nobody']);
    expect(nobody.code).toBe(1);
    expect(linesOf(nobody.stderr)).toEqual([expect.stringMatching(/^punchcard: .*cmp_nobody/)]);
    const nowhere = await runCli(t.testStore.database, ['export', 'packages', '--company', companyId, '--out', path.join(out, 'no', 'such', 'x.csv')]);
    expect(nowhere.code).toBe(2);
    expect(linesOf(nowhere.stderr)).toEqual([expect.stringMatching(/^punchcard: --out .*: the folder .* does not exist$/)]);
  });
});
