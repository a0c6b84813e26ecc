// The catalog, sold packages, redemptions, the ledger and idempotency records.
import { sql } from 'kysely';
import type { CompiledQuery, Compilable, RawBuilder, SqlBool } from 'kysely';
import type {
  EventRepo,
  IdempotencyRepo,
  PackageFilter,
  PackageKey,
  PackageOrder,
  PackageRepo,
  PackageKeyset,
  PackageVersionAt,
  RedemptionRepo,
  TemplateRepo,
} from '../application/ports.js';
import { addDays, localDateOf, startOfLocalDay } from '../domain/calendar.js';
import type { Lifecycle } from '../domain/package.js';
import type { EventType } from '../domain/ledger.js';
import { alreadyExists } from '../domain/errors.js';
import type { Db, Queryable } from './database.js';
import type { Placeholders, ShapeValues } from './query-shapes.js';
import { ListParameter } from './query-shapes.js';
import { insertRow, rowByKey } from './row-shapes.js';
import { fitsOneStatement, writeInOneStatement, writeRowByRow } from './package-change.js';
import { isUniqueViolation } from './database.js';
import * as m from './package-mappers.js';
import { noteWebhookWork, type WebhookWork } from './webhook-repos.js';
import type { IdempotencyKeysTable, PackageItemsTable, PackagesTable } from './schema.js';
import type { ImportedDetails } from '../domain/import.js';

export function templateRepo(q: Queryable): TemplateRepo {
  return {
    async insert(t) {
      try {
        await q.insertInto('package_templates').values(m.templateToRow(t)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists('package template', t.id);
        throw error;
      }
    },
    async update(t) {
      const { company_id, template_id, created_at: _c, ...changes } = m.templateToRow(t);
      const r = await q
        .updateTable('package_templates')
        .set(changes)
        .where('company_id', '=', company_id)
        .where('template_id', '=', template_id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async get(companyId, id) {
      const row = await q.selectFrom('package_templates').selectAll().where('company_id', '=', companyId).where('template_id', '=', id).executeTakeFirst();
      return row && m.templateRowToTemplate(row);
    },
    async list(companyId, page, { includeArchived }) {
      let query = q.selectFrom('package_templates').selectAll().where('company_id', '=', companyId);
      if (!includeArchived) query = query.where('archived_at', 'is', null);
      if (page.after) query = query.where('template_id', '>', page.after);
      const rows = await query.orderBy('template_id').limit(page.size + 1).offset(page.offset).execute();
      return rows.map(m.templateRowToTemplate);
    },
  };
}

async function withItems(q: Queryable, companyId: string, rows: PackagesTable[]) {
  if (rows.length === 0) return [];
  const items = await q
    .selectFrom('package_items')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('package_id', 'in', rows.map((r) => r.package_id))
    .execute();
  const byPackage = new Map<string, PackageItemsTable[]>();
  for (const i of items) {
    const list = byPackage.get(i.package_id) ?? [];
    list.push(i);
    byPackage.set(i.package_id, list);
  }
  return rows.map((r) => m.packageRowToPackage(r, byPackage.get(r.package_id) ?? []));
}

/** A package read under its lock, carrying the next sequence number to use (PackageRepo.lockForUpdate). */
const lockedPackage = (row: PackagesTable, items: PackageItemsTable[]) => m.packageRowToPackage({ ...row, event_seq: Number(row.event_seq) + 1 }, items);

export function packageRepo(q: Queryable, db: Db, work?: WebhookWork): PackageRepo {
  const engine = db.engine;
  /** One package's items, by a shape of its own: read with every change to the package. */
  async function itemsOf(companyId: string, packageId: string): Promise<PackageItemsTable[]> {
    const compiled = db.shapes.compile('packages.items', { companyId, packageId }, (v) =>
      q.selectFrom('package_items').selectAll().where('company_id', '=', v.companyId as string).where('package_id', '=', v.packageId as string),
    );
    return (await q.executeQuery(compiled)).rows;
  }

  return {
    async insert(pkg) {
      await q.insertInto('packages').values(m.packageToRow(pkg)).execute();
      await q.insertInto('package_items').values(pkg.items.map((i) => m.itemToRow(pkg, i))).execute();
    },
    async insertMany(pkgs) {
      if (engine === 'postgres') {
        // The foreign-key checks of the items and events that follow run a plan PostgreSQL keeps per connection.
        // Planned while the table had no statistics (a new database, a new company's first import), that plan
        // reads more of the table with each package this transaction adds: 100,000 packages took minutes. Planning
        // each check for its own values keeps them index lookups; SET LOCAL ends with this transaction.
        await sql`SET LOCAL plan_cache_mode = force_custom_plan`.execute(q);
      }
      // Multi-row statements, kept under both engines' limits on bound values (SQLite 32,766, PostgreSQL 65,535).
      for (const batch of chunks(pkgs, 200)) {
        await q.insertInto('packages').values(batch.map(m.packageToRow)).execute();
        for (const items of chunks(batch.flatMap((pkg) => pkg.items.map((i) => m.itemToRow(pkg, i))), 1000)) {
          await q.insertInto('package_items').values(items).execute();
        }
      }
    },
    async get(companyId, id) {
      const row = await q.selectFrom('packages').selectAll().where('company_id', '=', companyId).where('package_id', '=', id).executeTakeFirst();
      return row ? (await withItems(q, companyId, [row]))[0] : undefined;
    },
    async getMany(companyId, ids) {
      if (ids.length === 0) return [];
      const rows = await q.selectFrom('packages').selectAll().where('company_id', '=', companyId).where('package_id', 'in', [...ids]).execute();
      return withItems(q, companyId, rows);
    },
    async lockForUpdate(companyId, id) {
      if (engine === 'sqlite') {
        // A write transaction on SQLite holds the database's one write lock from BEGIN IMMEDIATE to its end, so
        // reading the row is locking it; the next sequence number is the one after the row's.
        const row = await rowByKey(q, db, 'packages', { company_id: companyId, package_id: id });
        return row && lockedPackage(row, await itemsOf(companyId, id));
      }
      // PostgreSQL: the package row and its items in one statement, each row locked. Locking the items too is
      // what makes this safe in one statement: after waiting for another transaction's lock, PostgreSQL reads
      // the latest version of every row it locks, where a plain subquery would read the statement's older
      // snapshot. NO KEY UPDATE is the strength an UPDATE of these rows takes. Each row comes back as one JSON
      // value, which carries the same values as its columns would (they are BIGINT, INTEGER and TEXT, and pg
      // reads BIGINT as a number too) for a fraction of the driver's cost: pg describes and converts every
      // column of every result, and the package has forty of them.
      const compiled = db.shapes.compile('packages.lockWithItems', { companyId, id }, (v) =>
        q
          .selectFrom('packages as p')
          .innerJoin('package_items as i', (j) => j.onRef('i.company_id', '=', 'p.company_id').onRef('i.package_id', '=', 'p.package_id'))
          .select(sql<PackagesTable>`row_to_json(p)`.as('locked_package'))
          .select(sql<PackageItemsTable>`row_to_json(i)`.as('locked_item'))
          .where('p.company_id', '=', v.companyId as string)
          .where('p.package_id', '=', v.id as string)
          .orderBy('i.position')
          .forNoKeyUpdate(),
      );
      const rows = (await q.executeQuery(compiled)).rows;
      if (rows.length === 0) {
        // No such package, or one without items: the row alone, locked.
        const alone = await q.selectFrom('packages').selectAll().where('company_id', '=', companyId).where('package_id', '=', id).forNoKeyUpdate().executeTakeFirst();
        return alone && lockedPackage(alone, []);
      }
      return lockedPackage(rows[0]!.locked_package, rows.map((r) => r.locked_item));
    },
    query: (companyId, filter, order, page) => queryPackages(q, db, companyId, filter, order, page),
    count: (companyId, filter) => countPackages(q, db, companyId, filter),
    queryCounted: (companyId, filter, order, size, offset) => queryPackagesCounted(q, db, companyId, filter, order, size, offset),
    async versionsOf(companyId, ids) {
      if (ids.length === 0) return [];
      const values = { companyId, ids: db.lists === 'arrays' ? new ListParameter(ids) : ids };
      const compiled = db.shapes.compile('packages.versions', values, (v) =>
        q
          .selectFrom('packages as p')
          .select(['p.package_id', 'p.event_seq'])
          .where('p.company_id', '=', v.companyId as string)
          .where(inList(sql.ref('p.package_id'), v.ids)),
      );
      const { rows } = await q.executeQuery(compiled);
      return rows.map((r) => ({ id: r.package_id, eventSeq: Number(r.event_seq) }));
    },
    async findImported(companyId, sourceIds) {
      if (sourceIds.length === 0) return [];
      // Two index lookups rather than one join: a join may be planned from the company's events (every one of
      // them), which grows with its history rather than with the file.
      const found = await q
        .selectFrom('packages')
        .select(['source_id', 'package_id'])
        .where('company_id', '=', companyId)
        .where('source_id', 'in', [...sourceIds])
        .execute();
      if (found.length === 0) return [];
      const firsts = await q
        .selectFrom('package_events')
        .select(['package_id', 'data'])
        .where('company_id', '=', companyId)
        .where('package_id', 'in', found.map((r) => r.package_id))
        .where('seq', '=', 1)
        .where('type', '=', 'IMPORTED')
        .execute();
      const sourceOf = new Map(found.map((r) => [r.package_id, r.source_id!]));
      return firsts.map((r) => ({ sourceId: sourceOf.get(r.package_id)!, packageId: r.package_id, imported: JSON.parse(r.data) as ImportedDetails }));
    },
    async listPastEnd(companyId, before, limit, offset) {
      // An index range on (company_id, grace_end_time): the sweep costs what is due, not the size of the table.
      const rows = await q
        .selectFrom('packages')
        .selectAll()
        .where('company_id', '=', companyId)
        .where('grace_end_time', '<=', before)
        .where('cancelled_at', 'is', null)
        .where('expired_at', 'is', null)
        .orderBy('grace_end_time')
        .orderBy('package_id')
        .limit(limit)
        .offset(offset)
        .execute();
      return withItems(q, companyId, rows);
    },
    async scan(companyId, after, limit) {
      let query = q.selectFrom('packages').selectAll().where('company_id', '=', companyId);
      if (after !== null) query = query.where('package_id', '>', after);
      const rows = await query.orderBy('package_id').limit(limit).execute();
      return withItems(q, companyId, rows);
    },
    async writeChange(change) {
      const written = engine === 'postgres' && fitsOneStatement(change) ? await writeInOneStatement(q, db, change) : await writeRowByRow(q, db, change);
      if (written && change.messages.length > 0) await noteWebhookWork(q, engine, work, [change.state.companyId]);
      return written;
    },
  };
}

// ---- the one package query ----------------------------------------------------------------------------
// Every filter is a predicate over the package row and its derived columns (migration 003), judged at asOf
// exactly as the domain judges it (lifecycleAt, canRedeem, the expiration date in the package's own zone);
// ordering and keyset paging are the same expressions, so a page is always full when more rows exist.

/** Sorts after every instant (ECMAScript's last is 8.64e15): where "never expires" goes in an order. */
const NEVER = 9_000_000_000_000_000;

const never = (column: 'p.end_time' | 'p.grace_end_time') => sql<number>`COALESCE(${sql.ref(column)}, ${sql.lit(NEVER)})`;

/** The sort expressions of each order, the package id last; the keyset compares them as one row value. */
const ORDER_BY: Record<PackageOrder, readonly RawBuilder<unknown>[]> = {
  created: [sql`p.package_id`],
  expiring: [never('p.end_time'), sql`p.package_id`],
  redemption: [never('p.grace_end_time'), sql`p.purchase_time`, sql`p.package_id`],
};

/** The lifecycle at asOf, in domain lifecycleAt's order; it never reads expired_at (the sweeper's record). */
function lifecycleAt(asOf: number): RawBuilder<string> {
  // A freeze running at the grace end holds the clock: such a package has not lapsed.
  const frozenAtGraceEnd = sql`p.freeze_start_time IS NOT NULL AND p.freeze_start_time <= p.grace_end_time
    AND (p.freeze_end_time IS NULL OR p.grace_end_time < p.freeze_end_time)`;
  return sql<string>`CASE
    WHEN p.cancelled_at IS NOT NULL THEN 'CANCELLED'
    WHEN p.units_left = 0 THEN 'FULLY_REDEEMED'
    WHEN p.grace_end_time <= ${asOf} AND NOT (${frozenAtGraceEnd}) THEN 'EXPIRED'
    WHEN p.freeze_start_time <= ${asOf} AND (p.freeze_end_time IS NULL OR ${asOf} < p.freeze_end_time) THEN 'FROZEN'
    WHEN p.start_time > ${asOf} THEN 'NOT_STARTED'
    ELSE 'ACTIVE' END`;
}

const NOTHING = sql<SqlBool>`1 = 0`;
const OPEN: readonly Lifecycle[] = ['ACTIVE', 'FROZEN', 'NOT_STARTED'];

const lifecycleIn = (asOf: number, lifecycles: readonly Lifecycle[]) =>
  lifecycles.length === 0 ? NOTHING : sql<SqlBool>`${lifecycleAt(asOf)} IN (${sql.join([...lifecycles])})`;

/** Redeemable at a business now, for some service (domain canRedeem without a service). */
function redeemableAt(businessId: string, asOf: number): RawBuilder<SqlBool> {
  // A hold that has lapsed by asOf has given its units back, whether or not the sweeper has written it.
  const lapsedServiceHold = sql`EXISTS (SELECT 1 FROM redemptions r
    INNER JOIN package_items i ON i.company_id = r.company_id AND i.package_id = r.package_id AND i.item_id = r.item_id
    WHERE r.company_id = p.company_id AND r.package_id = p.package_id AND r.status = 'PENDING'
      AND r.hold_expire_time <= ${asOf} AND i.kind = 'SERVICE')`;
  return sql<SqlBool>`${lifecycleIn(asOf, ['ACTIVE'])}
    AND (p.restrict_to_selling_business = 0 OR p.business_id = ${businessId})
    AND (p.service_units_left > 0 OR ${lapsedServiceHold})`;
}

/**
 * A company's distinct package time zones: a skip scan of (company_id, time_zone, end_time), one index seek
 * per zone, instead of reading every package.
 */
async function zonesOf(q: Queryable, companyId: string): Promise<string[]> {
  const next = (after: RawBuilder<unknown> | null) =>
    sql`(SELECT time_zone FROM packages WHERE company_id = ${companyId}${after === null ? sql`` : sql` AND time_zone > ${after}`}
      ORDER BY time_zone LIMIT 1)`;
  const r = await sql<{ tz: string | null }>`WITH RECURSIVE zones (tz) AS (
      SELECT ${next(null)}
      UNION ALL
      SELECT ${next(sql`zones.tz`)} FROM zones WHERE zones.tz IS NOT NULL)
    SELECT tz FROM zones WHERE tz IS NOT NULL`.execute(q);
  return r.rows.map(zoneRowToZone);
}

/**
 * Open packages whose expiration date (the local date of end_time) is from today through today + days, each
 * judged in its own zone: one end_time range per zone, [start of today, start of today + days + 1).
 */
async function expiringWithin(q: Queryable, companyId: string, days: number, asOf: number): Promise<RawBuilder<SqlBool>> {
  const ranges = (await zonesOf(q, companyId)).map((tz) => {
    const today = localDateOf(asOf, tz);
    const from = startOfLocalDay(today, tz);
    const to = startOfLocalDay(addDays(today, days + 1), tz);
    return sql`(p.time_zone = ${tz} AND p.end_time >= ${from} AND p.end_time < ${to})`;
  });
  if (ranges.length === 0) return NOTHING;
  return sql<SqlBool>`${lifecycleIn(asOf, OPEN)} AND (${sql.join(ranges, sql` OR `)})`;
}

/** What the one package query binds: its filter's values and the page's, each present only when asked. */
interface QueryValues extends ShapeValues {
  companyId: string;
  customerIds: readonly string[] | ListParameter | undefined;
  businessId: string | undefined;
  lifecycles: readonly string[] | undefined;
  redeemableAt: string | undefined;
  asOf: number | undefined;
  after: readonly (string | number)[] | undefined;
  limit: number | undefined;
  offset: number | undefined;
}

/** `column IN (…)` of a list: one parameter per value on SQLite, one array parameter on PostgreSQL (one SQL text whatever the length). */
function inList(column: RawBuilder<unknown>, values: unknown): RawBuilder<SqlBool> {
  return Array.isArray(values) ? sql<SqlBool>`${column} IN (${sql.join(values)})` : sql<SqlBool>`${column} = ANY(${values})`;
}

/** The filter's predicates over the package row, in terms of the values bound (placeholders while a shape is built). */
function matching(q: Queryable, v: Placeholders<QueryValues>, expiring: RawBuilder<SqlBool> | null) {
  let query = q.selectFrom('packages as p').where('p.company_id', '=', v.companyId as string);
  if (v.customerIds) query = query.where(inList(sql.ref('p.customer_id'), v.customerIds));
  if (v.businessId !== undefined) query = query.where('p.business_id', '=', v.businessId as string);
  if (v.lifecycles) query = query.where(sql<SqlBool>`${lifecycleAt(v.asOf as number)} IN (${sql.join([...v.lifecycles])})`);
  if (v.redeemableAt !== undefined) query = query.where(redeemableAt(v.redeemableAt as string, v.asOf as number));
  if (expiring) query = query.where(expiring);
  return query;
}

/** The filter's values to bind; null when it keeps nothing whatever the rows (an empty list of customers or lifecycles). */
function valuesOf(companyId: string, filter: PackageFilter, lists: Db['lists']): QueryValues | null {
  if (filter.customerIds?.length === 0 || filter.lifecycles?.length === 0) return null;
  const timed = filter.lifecycles !== undefined || filter.redeemableAt !== undefined;
  return {
    companyId,
    // A list bound as one array keeps one SQL text (and one prepared statement) for every length.
    customerIds: filter.customerIds && lists === 'arrays' ? new ListParameter(filter.customerIds) : filter.customerIds,
    businessId: filter.businessId,
    lifecycles: filter.lifecycles,
    redeemableAt: filter.redeemableAt,
    asOf: timed ? filter.asOf : undefined,
    after: undefined,
    limit: undefined,
    offset: undefined,
  };
}

/** The sort key's values as the SQL compares them: null (never) sorts as NEVER. */
const keyValues = (key: PackageKey) => key.map((v) => (v === null ? NEVER : v));

async function queryPackages(q: Queryable, db: Db, companyId: string, filter: PackageFilter, order: PackageOrder, page: PackageKeyset) {
  const by = ORDER_BY[order];
  if (page.after !== null && page.after.length !== by.length) throw new Error(`a ${order} keyset has ${by.length} parts, not ${page.after.length}`);
  const rows = await pageRows(q, db, companyId, filter, order, { after: page.after === null ? undefined : keyValues(page.after), limit: page.size + 1, offset: page.offset }, false);
  return rows.map((row) => queryRowToVersion(row, order));
}

async function queryPackagesCounted(q: Queryable, db: Db, companyId: string, filter: PackageFilter, order: PackageOrder, size: number, offset: number) {
  const rows = await pageRows(q, db, companyId, filter, order, { after: undefined, limit: size + 1, offset }, true);
  const total = rows[0] ? countRowToCount(rows[0] as QueryRow & { n: number | string }) : offset === 0 ? 0 : null;
  return { versions: rows.map((row) => queryRowToVersion(row, order)), total };
}

/** A page's rows of the one package query; `counted` adds the count of every match to each row (a window over all of them, before the limit). */
async function pageRows(
  q: Queryable,
  db: Db,
  companyId: string,
  filter: PackageFilter,
  order: PackageOrder,
  page: Pick<QueryValues, 'after' | 'limit' | 'offset'>,
  counted: boolean,
): Promise<QueryRow[]> {
  const values = valuesOf(companyId, filter, db.lists);
  if (!values) return [];
  const by = ORDER_BY[order];
  const build = (v: Placeholders<QueryValues>, expiring: RawBuilder<SqlBool> | null) => {
    let query = matching(q, v, expiring).select(KEY_COLUMNS[order]);
    if (counted) query = query.select(sql<number>`COUNT(*) OVER ()`.as('n')) as typeof query;
    if (v.after) query = query.where(sql<SqlBool>`(${sql.join([...by])}) > (${sql.join([...v.after])})`);
    for (const expression of by) query = query.orderBy(expression);
    return query.limit(v.limit as number).offset(v.offset as number);
  };
  const compiled = await compiledFor(q, db, `packages.${order}${counted ? '.counted' : ''}`, companyId, filter, { ...values, ...page }, build);
  return (await q.executeQuery(compiled)).rows as QueryRow[];
}

/**
 * The query `build` makes of the filter's values: once per shape, except with the expiring filter, whose SQL
 * depends on the company's zones and today's date in each and is built on every call.
 */
async function compiledFor<R>(
  q: Queryable,
  db: Db,
  name: string,
  companyId: string,
  filter: PackageFilter,
  values: QueryValues,
  build: (v: Placeholders<QueryValues>, expiring: RawBuilder<SqlBool> | null) => Compilable<R>,
): Promise<CompiledQuery<R>> {
  if (filter.expiringWithinDays === undefined) return db.shapes.compile(name, values, (v) => build(v, null));
  return build(values as never, await expiringWithin(q, companyId, filter.expiringWithinDays, filter.asOf)).compile();
}

async function countPackages(q: Queryable, db: Db, companyId: string, filter: PackageFilter): Promise<number> {
  const values = valuesOf(companyId, filter, db.lists);
  if (!values) return 0;
  const build = (v: Placeholders<QueryValues>, expiring: RawBuilder<SqlBool> | null) => matching(q, v, expiring).select(sql<number>`COUNT(*)`.as('n'));
  const { rows } = await q.executeQuery(await compiledFor(q, db, 'packages.count', companyId, filter, values, build));
  return countRowToCount(rows[0] as { n: number | string });
}

/** Only the columns each order's key needs: a list answers on the hot path, and every column read costs. */
const KEY_COLUMNS = {
  created: ['p.package_id', 'p.event_seq'],
  expiring: ['p.package_id', 'p.event_seq', 'p.end_time'],
  redemption: ['p.package_id', 'p.event_seq', 'p.grace_end_time', 'p.purchase_time'],
} as const satisfies Record<PackageOrder, readonly string[]>;

interface QueryRow {
  package_id: string;
  event_seq: number;
  end_time?: number | null;
  grace_end_time?: number | null;
  purchase_time?: number;
}

/** A row of the package query to its version and its place in the order. */
function queryRowToVersion(r: QueryRow, order: PackageOrder): PackageVersionAt {
  const id = r.package_id;
  const key: PackageKey =
    order === 'created' ? [id] : order === 'expiring' ? [num(r.end_time ?? null), id] : [num(r.grace_end_time ?? null), Number(r.purchase_time), id];
  return { id, eventSeq: Number(r.event_seq), key };
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));
const countRowToCount = (r: { n: number | string }): number => Number(r.n);
const zoneRowToZone = (r: { tz: string | null }): string => r.tz!;

export function redemptionRepo(q: Queryable, db: Db): RedemptionRepo {
  const withCurrency = () =>
    q
      .selectFrom('redemptions as r')
      .innerJoin('packages as p', (j) => j.onRef('p.company_id', '=', 'r.company_id').onRef('p.package_id', '=', 'r.package_id'))
      .selectAll('r')
      .select('p.currency');
  return {
    async get(companyId, id) {
      const row = await withCurrency().where('r.company_id', '=', companyId).where('r.redemption_id', '=', id).executeTakeFirst();
      return row && m.redemptionRowToRedemption(row, row.currency);
    },
    async listPending(companyId, packageId) {
      const rows = await withCurrency()
        .where('r.company_id', '=', companyId)
        .where('r.package_id', '=', packageId)
        .where('r.status', '=', 'PENDING')
        .orderBy('r.redemption_id')
        .execute();
      return rows.map((row) => m.redemptionRowToRedemption(row, row.currency));
    },
    async listByPackages(companyId, packageIds, statuses) {
      if (packageIds.length === 0 || statuses.length === 0) return [];
      const rows = await withCurrency()
        .where('r.company_id', '=', companyId)
        .where('r.package_id', 'in', [...packageIds])
        .where('r.status', 'in', [...statuses])
        .orderBy('r.redemption_id')
        .execute();
      return rows.map((row) => m.redemptionRowToRedemption(row, row.currency));
    },
    async listDueHolds(companyId, now, limit) {
      // A range of redemptions_pending_holds (company_id, hold_expire_time) WHERE status = 'PENDING'.
      const rows = await withCurrency()
        .where('r.company_id', '=', companyId)
        .where('r.status', '=', 'PENDING')
        .where('r.hold_expire_time', '<=', now)
        .orderBy('r.hold_expire_time')
        .limit(limit)
        .execute();
      return rows.map((row) => m.redemptionRowToRedemption(row, row.currency));
    },
    async list(companyId, filter, order, page) {
      const { now } = filter;
      const time = order === 'holdExpireTime' ? sql.ref('r.hold_expire_time') : sql.ref('r.redeem_time');
      const desc = order === '-redeemTime';
      let query = withCurrency()
        .innerJoin('package_items as i', (j) =>
          j.onRef('i.company_id', '=', 'r.company_id').onRef('i.package_id', '=', 'r.package_id').onRef('i.item_id', '=', 'r.item_id'),
        )
        .select(['p.customer_id as list_customer_id', 'p.name as list_package_name', 'i.choices as list_choices'])
        .where('r.company_id', '=', companyId);
      if (filter.businessIds.length > 0) query = query.where('r.business_id', 'in', [...filter.businessIds]);
      if (filter.from !== null) query = query.where('r.redeem_time', '>=', filter.from);
      if (filter.to !== null) query = query.where('r.redeem_time', '<', filter.to);
      if (filter.statuses.length > 0) {
        // A lapsed hold is EXPIRED from its expiry on, written down or not (the sweeper's lag never shows).
        query = query.where((eb) =>
          eb.or(
            filter.statuses.map((status) =>
              status === 'PENDING'
                ? eb.and([eb('r.status', '=', 'PENDING'), eb.or([eb('r.hold_expire_time', 'is', null), eb('r.hold_expire_time', '>', now)])])
                : status === 'EXPIRED'
                  ? eb.or([eb('r.status', '=', 'EXPIRED'), eb.and([eb('r.status', '=', 'PENDING'), eb('r.hold_expire_time', '<=', now)])])
                  : eb('r.status', '=', status),
            ),
          ),
        );
      }
      if (order === 'holdExpireTime') query = query.where('r.hold_expire_time', 'is not', null);
      if (page.after) {
        const { time: t, id } = page.after;
        query = query.where(desc ? sql<SqlBool>`(${time}, r.redemption_id) < (${t}, ${id})` : sql<SqlBool>`(${time}, r.redemption_id) > (${t}, ${id})`);
      }
      const direction = desc ? 'desc' : 'asc';
      const rows = await query.orderBy(time, direction).orderBy('r.redemption_id', direction).limit(page.limit).offset(page.offset).execute();
      return rows.map((row) => {
        const choices = JSON.parse(row.list_choices) as { id: string; name: string }[];
        return {
          redemption: m.redemptionRowToRedemption(row, row.currency),
          customerId: row.list_customer_id,
          packageName: row.list_package_name,
          serviceName: choices.find((c) => c.id === row.service_id)?.name ?? '',
        };
      });
    },
  };
}

/** A list in pieces of at most `size`. */
function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export function eventRepo(q: Queryable, db: Db): EventRepo {
  const withCurrency = () =>
    q
      .selectFrom('package_events as e')
      .innerJoin('packages as p', (j) => j.onRef('p.company_id', '=', 'e.company_id').onRef('p.package_id', '=', 'e.package_id'))
      .selectAll('e')
      .select('p.currency');
  return {
    async appendMany(events) {
      for (const batch of chunks(events, 500)) await q.insertInto('package_events').values(batch.map(m.eventToRow)).execute();
    },
    async list(companyId, packageId, afterSeq, offset, limit) {
      const rows = await withCurrency()
        .where('e.company_id', '=', companyId)
        .where('e.package_id', '=', packageId)
        .where('e.seq', '>', afterSeq)
        .orderBy('e.seq')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map((r) => m.eventRowToEvent(r, r.currency));
    },
    async listByTime(companyId, from, to, after, limit) {
      let query = withCurrency().where('e.company_id', '=', companyId).where('e.time', '>=', from).where('e.time', '<', to);
      if (after) query = query.where(sql<SqlBool>`(e.time, e.package_id, e.seq) > (${after.time}, ${after.packageId}, ${after.seq})`);
      const rows = await query.orderBy('e.time').orderBy('e.package_id').orderBy('e.seq').limit(limit).execute();
      return rows.map((r) => m.eventRowToEvent(r, r.currency));
    },
    async all(companyId, packageId) {
      const rows = await withCurrency().where('e.company_id', '=', companyId).where('e.package_id', '=', packageId).orderBy('e.seq').execute();
      return rows.map((r) => m.eventRowToEvent(r, r.currency));
    },
    async sums(companyId, from, to, businessId) {
      // As text, read as BigInt: pg's numeric SUM and better-sqlite3's numbers would round past 2^53.
      const exactSum = (column: 'value_delta_minor' | 'breakage_delta_minor' | 'refund_minor') =>
        sql<string>`CAST(COALESCE(SUM(${sql.ref(column)}), 0) AS TEXT)`;
      let query = q
        .selectFrom('package_events')
        .select(['business_id', 'type'])
        .select([exactSum('value_delta_minor').as('value'), exactSum('breakage_delta_minor').as('breakage'), exactSum('refund_minor').as('refund')])
        .where('company_id', '=', companyId)
        .where('time', '>=', from)
        .where('time', '<', to);
      if (businessId) query = query.where('business_id', '=', businessId);
      const rows = await query.groupBy(['business_id', 'type']).execute();
      return rows.map((r) => ({
        businessId: r.business_id,
        type: r.type as EventType,
        valueDeltaMinor: BigInt(r.value),
        breakageDeltaMinor: BigInt(r.breakage),
        refundMinor: BigInt(r.refund),
      }));
    },
    async redemptionsPerDay(companyId, from, to, businessId) {
      let query = q
        .selectFrom('package_events')
        .select(['business_id', 'time', 'quantity', 'type'])
        .where('company_id', '=', companyId)
        .where('time', '>=', from)
        .where('time', '<', to)
        .where('type', 'in', ['REDEEMED', 'COMMITTED', 'REVERSED']);
      if (businessId) query = query.where('business_id', '=', businessId);
      const rows = await query.execute();
      return rows.map((r) => ({ businessId: r.business_id, time: Number(r.time), quantity: Number(r.quantity ?? 0), type: r.type }));
    },
  };
}

const storedResponseOf = (row: IdempotencyKeysTable) => ({
  operation: row.operation,
  requestHash: row.request_hash,
  status: Number(row.response_status),
  body: row.response_body,
});

export function idempotencyRepo(q: Queryable, db: Db): IdempotencyRepo {
  const engine = db.engine;
  return {
    async get(companyId, key) {
      const row = await rowByKey(q, db, 'idempotency_keys', { company_id: companyId, idempotency_key: key });
      return row && storedResponseOf(row);
    },
    async insert(companyId, key, response, at) {
      await insertRow(q, db, 'idempotency_keys', {
        company_id: companyId,
        idempotency_key: key,
        operation: response.operation,
        request_hash: response.requestHash,
        response_status: response.status,
        response_body: response.body,
        created_at: at,
      });
    },
    async claim(companyId, key) {
      if (engine !== 'postgres') return { locked: true, stored: await this.get(companyId, key) };
      // The lock in the select list, the record beside it: one round trip for what took two.
      const compiled = db.shapes.compile('idempotency.claim', { lock: `${companyId}/${key}`, companyId, key }, (v) =>
        q
          .selectNoFrom((eb) => [
            sql<boolean>`pg_try_advisory_xact_lock(hashtextextended(${v.lock}, 0))`.as('locked'),
            eb
              .selectFrom('idempotency_keys')
              .select(sql<string>`row_to_json(idempotency_keys)::text`.as('r'))
              .where('company_id', '=', v.companyId as string)
              .where('idempotency_key', '=', v.key as string)
              .as('stored'),
          ]),
      );
      const row = (await q.executeQuery(compiled)).rows[0] as { locked: boolean; stored: string | null } | undefined;
      const stored = row?.stored ? (JSON.parse(row.stored) as IdempotencyKeysTable) : undefined;
      return { locked: row?.locked === true, stored: stored && storedResponseOf(stored) };
    },
  };
}
