// punchcard import FILE --company ID on each engine: a dry run counts and writes nothing, a bad file lists its bad
// lines and exits 1 writing nothing, a good one imports (and importing it again changes nothing).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { linesOf, runCli } from './cli.js';

const COMPANY = 'cmp_import';
const HEADER = 'source_id,customer_id,business_id,package_name,service_id,total,used,price,currency,purchase_date,expiration_date,customer_first_name,customer_last_name';
const GOOD = [
  HEADER,
  'old_1,cus_nora,bus_downtown,Five grooms,srv_basic,5,2,150.00,USD,2026-01-10,2027-01-10,Nora,Newcomer',
  'old_2,cus_ada,bus_downtown,Three baths,srv_bath,3,0,60.00,USD,2026-02-01,never,,',
  'old_3,cus_ada,bus_downtown,Spa mix,srv_bath,4,1,100.00,USD,2026-03-01,2027-03-01,,',
  'old_3,cus_ada,bus_downtown,Spa mix,srv_nails,2,2,100.00,USD,2026-03-01,2027-03-01,,',
].join('\n');

describe.each(ENGINES)('punchcard import on %s', (engine) => {
  let db: TestDatabase;
  let dir: string;
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, `${text}\n`);
    return f;
  };
  /** The company's packages as the export gives them: one line an item. */
  const exported = async () => (await runCli(db, ['export', 'packages', '--company', COMPANY])).stdout;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    dir = fs.mkdtempSync(path.join(db.dataDir, 'files-'));
    // A business, services and a customer to import against.
    const demo = await runCli(db, ['demo', '--company', COMPANY]);
    if (demo.code !== 0) throw new Error(demo.stderr);
  });
  afterAll(() => db.drop());

  it('counts a dry run and writes nothing', async () => {
    const r = await runCli(db, ['import', file('good.csv', GOOD), '--company', COMPANY, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(linesOf(r.stdout)).toEqual(['packages: 3, items: 4, created: 3, unchanged: 0, customers created: 1', 'dry run: nothing written']);
    expect(r.stderr).toBe('');
    expect(await exported()).not.toContain('old_');
  });

  it('lists every bad line of a bad file and exits 1, writing nothing', async () => {
    const bad = [
      HEADER,
      'old_1,cus_nora,bus_downtown,Five grooms,srv_basic,5,2,150.00,USD,2026-01-10,2027-01-10,Nora,Newcomer',
      'old_9,cus_ada,bus_downtown,Too many,srv_basic,3,4,90.00,USD,2026-02-01,2027-02-01,,',
      'old_8,cus_ada,bus_nowhere,Wrong place,srv_basic,3,0,90.00,USD,2026-02-01,2027-02-01,,',
    ].join('\n');
    const r = await runCli(db, ['import', file('bad.csv', bad), '--company', COMPANY]);
    expect(r.code).toBe(1);
    const lines = linesOf(r.stderr);
    expect(lines.at(-1)).toMatch(/^punchcard: the import was refused \(\d+ problems\); nothing was written$/);
    const problems = lines.slice(0, -1);
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const p of problems) expect(p).toMatch(/^line \d+: [a-z_]+: .+/);
    expect(problems.some((p) => p.startsWith('line 3: used: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('line 4: business_id: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('line 2:'))).toBe(false);
    expect(r.stdout).toBe('');
    expect(await exported()).not.toContain('old_');
  });

  it('imports a good file, and importing it again leaves every package unchanged', async () => {
    const good = file('good.csv', GOOD);
    const r = await runCli(db, ['import', good, '--company', COMPANY]);
    expect(r.code, r.stderr).toBe(0);
    expect(linesOf(r.stdout)).toEqual(['packages: 3, items: 4, created: 3, unchanged: 0, customers created: 1']);
    const rows = linesOf(await exported()).filter((l) => l.startsWith('old_'));
    expect(rows).toHaveLength(4);
    expect(rows.find((l) => l.startsWith('old_1,'))).toMatch(/^old_1,cus_nora,bus_downtown,Five grooms,/);

    const again = await runCli(db, ['import', good, '--company', COMPANY]);
    expect(again.code, again.stderr).toBe(0);
    expect(linesOf(again.stdout)).toEqual(['packages: 3, items: 4, created: 0, unchanged: 3, customers created: 0']);

    const verify = await runCli(db, ['verify', '--company', COMPANY]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('reads {"rows":[…]} from a .json file, and takes --format over the extension', async () => {
    const rows = [{ source_id: 'old_j', customer_id: 'cus_ada', business_id: 'bus_downtown', package_name: 'From JSON', service_id: 'srv_basic', total: 2, used: 1, price: '60.00', currency: 'USD', purchase_date: '2026-04-01', expiration_date: '2027-04-01' }];
    const json = await runCli(db, ['import', file('rows.json', JSON.stringify({ rows })), '--company', COMPANY, '--dry-run']);
    expect(json.code, json.stderr).toBe(0);
    expect(linesOf(json.stdout)[0]).toBe('packages: 1, items: 1, created: 1, unchanged: 0, customers created: 0');

    const csvNamedTxt = await runCli(db, ['import', file('good.txt', GOOD), '--company', COMPANY, '--format', 'csv', '--dry-run']);
    expect(csvNamedTxt.code, csvNamedTxt.stderr).toBe(0);
    expect(linesOf(csvNamedTxt.stdout)[0]).toBe('packages: 3, items: 4, created: 0, unchanged: 3, customers created: 0');
  });

  it('refuses a missing file, a bad format, JSON that is not JSON and an unknown company with one line', async () => {
    const cases: [string[], number, RegExp][] = [
      [['import', path.join(dir, 'nothing.csv'), '--company', COMPANY], 2, /^punchcard: cannot read .*nothing\.csv: no such file$/],
      [['import', file('x.csv', GOOD), '--company', COMPANY, '--format', 'xml'], 2, /^punchcard: --format must be one of csv, json$/],
      [['import', file('broken.json', '{"rows": ['), '--company', COMPANY], 1, /^punchcard: .*broken\.json is not JSON: /],
      [['import', file('y.csv', GOOD), '--company', 'cmp_nobody'], 1, /^punchcard: .*cmp_nobody/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(db, args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(linesOf(r.stderr), args.join(' ')).toEqual([expect.stringMatching(message)]);
    }
  });
});
