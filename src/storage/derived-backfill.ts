// Fills the columns derived from a package's state (migration 003) for rows written before they existed: the
// time-zone arithmetic lives in the domain, not in SQL. Idempotent, a batch at a time; a no-op once done.
import type { Db } from './database.js';
import { derivedColumns } from './package-mappers.js';
import { packageRepo } from './package-repos.js';

const BATCH = 500;

export async function fillDerivedColumns(db: Db): Promise<number> {
  let filled = 0;
  // Company by company (every statement is about one company): a seek per company once all is filled.
  for (let after: string | null = null; ; ) {
    let page = db.kysely.selectFrom('companies').select('company_id');
    if (after !== null) page = page.where('company_id', '>', after);
    const companies = (await page.orderBy('company_id').limit(BATCH).execute()).map((r) => r.company_id);
    for (const companyId of companies) filled += await fillCompany(db, companyId);
    if (companies.length < BATCH) return filled;
    after = companies[companies.length - 1]!;
  }
}

async function fillCompany(db: Db, companyId: string): Promise<number> {
  let filled = 0;
  for (;;) {
    const rows = await db.kysely
      .selectFrom('packages')
      .select('package_id')
      .where('company_id', '=', companyId)
      .where((eb) =>
        eb.or([
          eb.and([eb('end_time', 'is not', null), eb('grace_end_time', 'is', null)]),
          eb.and([eb('freeze_start_date', 'is not', null), eb('freeze_start_time', 'is', null)]),
        ]),
      )
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return filled;
    await db.transaction(async (trx) => {
      const repo = packageRepo(trx, db);
      for (const pkg of await repo.getMany(companyId, rows.map((r) => r.package_id))) {
        await trx.updateTable('packages').set(derivedColumns(pkg)).where('company_id', '=', companyId).where('package_id', '=', pkg.id).execute();
      }
    });
    filled += rows.length;
  }
}
