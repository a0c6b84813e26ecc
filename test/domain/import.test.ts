// The import's rules as pure functions: how rows become a package, what its items are worth, and what enters the
// ledger (the outstanding value, or breakage for a package that had expired before it came).
import { describe, expect, it } from 'vitest';
import type { ImportLookups, ImportRow } from '../../src/domain/import.js';
import { checkImportedPackage, importPackage, sameImport, importedDetails } from '../../src/domain/import.js';
import { money } from '../../src/domain/money.js';
import { lifecycleAt, remainingValueAt } from '../../src/domain/package.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');
const usd = (minor: number) => money('USD', minor);
const refs: ImportLookups = {
  business: (id) => (id === 'bus_1' ? { id, timeZone: 'America/New_York', currencyCode: 'USD' } : undefined),
  service: (id) => ({ srv_a: { name: 'A', price: usd(3000) }, srv_b: { name: 'B', price: usd(1000) } })[id],
  product: (id) => (id === 'prd_1' ? { name: 'P', price: usd(500) } : undefined),
  staffExists: () => true,
  customerKnown: (id) => id === 'cus_1',
};
const base = { source_id: 'x-1', customer_id: 'cus_1', business_id: 'bus_1', package_name: 'Pack', currency: 'USD', purchase_date: '2026-01-01', expiration_date: '2026-12-31' };
const rows = (...cells: Record<string, string>[]): ImportRow[] => cells.map((c, i) => ({ line: i + 2, cells: { ...base, ...c } }));
const checked = (r: ImportRow[]) => checkImportedPackage(r, refs, NOW);

describe('checking an imported package', () => {
  it('allocates the price over items without values by list price × total, after given unit prices', () => {
    const { spec, problems } = checked(rows({ service_id: 'srv_a', total: '3', used: '0', price: '100.00' }, { service_id: 'srv_b', total: '1', used: '0', price: '100.00' }, { product_id: 'prd_1', total: '2', used: '0', unit_price: '4.00', price: '100.00' }));
    expect(problems).toEqual([]);
    // 8.00 for the product; 92.00 over 90.00 and 10.00 of list value.
    expect(spec!.items.map((i) => i.value.minor)).toEqual([8280, 920, 800]);
  });

  it('spreads what was paid over the items as the price is, when less was paid', () => {
    const { spec } = checked(rows({ service_id: 'srv_a', total: '4', used: '1', item_value: '75.00', price: '100.00', paid_amount: '50.00' }, { service_id: 'srv_b', total: '1', used: '0', item_value: '25.00', price: '100.00', paid_amount: '50.00' }));
    expect(spec!.items.map((i) => i.value.minor)).toEqual([3750, 1250]);
    expect(spec!.paid.minor).toBe(5000);
  });

  it('takes dates in the business zone, start by default at purchase, and never for an empty expiration', () => {
    const { spec } = checked(rows({ service_id: 'srv_a', total: '1', used: '0', price: '1.00', expiration_date: '' }));
    expect(spec!.purchaseTime).toBe(Date.parse('2026-01-01T05:00:00Z'));
    expect(spec!.startTime).toBe(spec!.purchaseTime);
    expect(spec!.expirationDate).toBeNull();
  });

  it('names each problem by line and column', () => {
    const { spec, problems } = checked(rows({ service_id: 'srv_a', total: '0', used: 'x', price: '-1', purchase_date: '2099-01-01', customer_id: 'cus_new' }, { service_id: 'srv_zz', total: '2', used: '3', price: '9.00' }));
    expect(spec).toBeUndefined();
    expect(problems.map((p) => `${p.line}:${p.column}`).sort()).toEqual(
      // Line 3 also repeats the package's cells differently from line 2, its first row.
      ['2:customer_id', '2:price', '2:purchase_date', '2:expiration_date', '2:total', '2:used', '3:customer_id', '3:price', '3:purchase_date', '3:service_id', '3:used'].sort(),
    );
  });

  it('refuses a package of more items than a package may have, at its first line', () => {
    const many = rows(...Array.from({ length: 201 }, () => ({ service_id: 'srv_a', total: '1', used: '0', price: '1.00' })));
    expect(checked(many).problems).toEqual([{ line: 2, column: 'source_id', description: expect.stringContaining('at most 200 items') }]);
  });
});

describe('importing a package', () => {
  const decide = (extra: Record<string, string>) => {
    const { spec } = checked(rows({ service_id: 'srv_a', total: '5', used: '2', price: '150.00', ...extra }));
    return { spec: spec!, decision: importPackage({ spec: spec!, companyId: 'cmp_1', packageId: 'pkg_1', itemIds: ['psv_1'], names: new Map() }, NOW) };
  };

  it('brings the value of the unused units into the ledger, as of the import', () => {
    const { decision } = decide({});
    const [event] = decision.events;
    expect(event).toMatchObject({ type: 'IMPORTED', time: NOW, valueDelta: usd(9000), breakageDelta: usd(0), totalRemainingAfter: 3 });
    expect(lifecycleAt(decision.state.pkg, NOW)).toBe('ACTIVE');
    expect(decision.state.pkg).toMatchObject({ sourceId: 'x-1', gracePeriodDays: 0, endTime: Date.parse('2027-01-01T04:59:59Z') });
  });

  it('brings one that had expired already with nothing outstanding and no breakage: its value expired there', () => {
    const { decision } = decide({ expiration_date: '2026-02-01' });
    expect(decision.events[0]).toMatchObject({ valueDelta: usd(0), breakageDelta: usd(0) });
    expect(decision.state.pkg.expiredTime).toBe(NOW);
    expect(lifecycleAt(decision.state.pkg, NOW)).toBe('EXPIRED');
    expect(remainingValueAt(decision.state.pkg, NOW)).toEqual(usd(0));
  });

  it('knows the same import again by its values, whatever ids its items got', () => {
    const { spec, decision } = decide({});
    const details = importedDetails(spec, ['psv_1']);
    expect(decision.events[0]!.data).toEqual(details);
    expect(sameImport(details, spec)).toBe(true);
    expect(sameImport(details, checked(rows({ service_id: 'srv_a', total: '5', used: '3', price: '150.00' })).spec!)).toBe(false);
  });
});
