// Writes one decision on a locked package (PackageRepo.writeChange). SQLite runs in-process, so it writes row
// by row; on PostgreSQL every statement is a round trip (and a system call each way, the largest part of a
// write's cost in the process), so the whole change is one statement of data-modifying CTEs: the guarded
// moves and transitions report the rows they changed, and the caller rolls back if one changed none.
import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import type { PackageChange } from '../application/ports.js';
import type { BalanceMove } from '../domain/decision.js';
import type { Db, Queryable } from './database.js';
import * as m from './package-mappers.js';
import { messageToRow } from './webhook-mappers.js';
import type { ShapeValues } from './query-shapes.js';
import { changedRows, insertRow } from './row-shapes.js';

/** A balance move as SQL: its column changes and its guard, with n (and an adjustment's free units) bound. */
type BalanceSql = { set: Record<string, unknown>; guard: RawBuilder<unknown> };

/**
 * Each balance move as SQL: the same arithmetic as domain applyMove, guarded so no balance goes below zero. `n`
 * is the units moved (an adjustment's delta) and `freeDelta` an adjustment's free units, both bound as they are.
 */
function guarded(kind: BalanceMove['kind'], n: unknown, freeDelta: unknown): BalanceSql {
  switch (kind) {
    case 'adjust':
      return {
        set: { total: sql`total + ${n}`, remaining: sql`remaining + ${n}`, free: sql`free + ${freeDelta}` },
        guard: sql`remaining + ${n} >= 0 AND free + ${freeDelta} >= 0`,
      };
    case 'consume':
      return { set: { used: sql`used + ${n}`, remaining: sql`remaining - ${n}` }, guard: sql`remaining >= ${n}` };
    case 'hold':
      return { set: { held: sql`held + ${n}`, remaining: sql`remaining - ${n}` }, guard: sql`remaining >= ${n}` };
    case 'commitHeld':
      return { set: { held: sql`held - ${n}`, used: sql`used + ${n}` }, guard: sql`held >= ${n}` };
    case 'releaseHeld':
      return { set: { held: sql`held - ${n}`, remaining: sql`remaining + ${n}` }, guard: sql`held >= ${n}` };
    case 'unconsume':
      return { set: { used: sql`used - ${n}`, remaining: sql`remaining + ${n}` }, guard: sql`used >= ${n}` };
  }
}

/** A move's bound values: the units (an adjustment's delta) and an adjustment's free units. */
const unitsOf = (mv: BalanceMove) => (mv.kind === 'adjust' ? { n: mv.delta, free: mv.freeDelta } : { n: mv.n });

/** Row by row, in the port's order: SQLite, and a change one PostgreSQL statement cannot hold. */
export async function writeRowByRow(q: Queryable, db: Db, change: PackageChange): Promise<boolean> {
  const { companyId, id: packageId } = change.state;
  for (const mv of change.moves) {
    const compiled = db.shapes.compile(`items.${mv.kind}`, { companyId, packageId, itemId: mv.itemId, ...unitsOf(mv) }, (v) => {
      const g = guarded(mv.kind, v.n, v.free);
      const w = q.updateTable('package_items').set(g.set as never);
      return w.where('company_id', '=', v.companyId as string).where('package_id', '=', v.packageId as string).where('item_id', '=', v.itemId as string).where(g.guard as never);
    });
    if (changedRows(await q.executeQuery(compiled)) !== 1) return false;
  }
  for (const w of change.redemptions) {
    if (w.kind === 'insert') await insertRow(q, db, 'redemptions', m.redemptionToRow(w.redemption));
    else if (!(await transition(q, db, companyId, w.id, w.from, w.to, change.at, w.value?.minor))) return false;
  }
  for (const e of change.events) await insertRow(q, db, 'package_events', m.eventToRow(e));
  const state = { ...stateColumns(m.packageToRow(change.state)), companyId, packageId };
  const compiled = db.shapes.compile('packages.state', state, (v) => {
    const { companyId: company, packageId: pkg, ...columns } = v;
    return q.updateTable('packages').set(columns as never).where('company_id', '=', company as string).where('package_id', '=', pkg as string);
  });
  await q.executeQuery(compiled);
  if (change.messages.length > 0) await q.insertInto('webhook_messages').values(change.messages.map(messageToRow)).execute();
  return true;
}

/** A redemption's status from one to another (and its value, when committed), guarded by the one it leaves. */
async function transition(q: Queryable, db: Db, companyId: string, id: string, from: string, to: string, at: number, value: number | undefined): Promise<boolean> {
  const values = value === undefined ? { companyId, id, from, to, at } : { companyId, id, from, to, at, value };
  const compiled = db.shapes.compile('redemptions.transition', values, (v) =>
    q
      .updateTable('redemptions')
      .set(v.value === undefined ? { status: v.to as never, updated_at: v.at as number } : { status: v.to as never, updated_at: v.at as number, value_minor: v.value as number })
      .where('company_id', '=', v.companyId as string)
      .where('redemption_id', '=', v.id as string)
      .where('status', '=', v.from as never),
  );
  return changedRows(await q.executeQuery(compiled)) === 1;
}

/** Whether one statement can hold the change: PostgreSQL changes a row at most once per statement. */
export function fitsOneStatement(change: PackageChange): boolean {
  const items = new Set(change.moves.map((mv) => mv.itemId));
  const redemptions = change.redemptions.map((w) => (w.kind === 'insert' ? w.redemption.id : w.id));
  return items.size === change.moves.length && new Set(redemptions).size === redemptions.length;
}

/** The state columns saveState writes, from the package's row. */
function stateColumns(row: ReturnType<typeof m.packageToRow>) {
  return {
    start_time: row.start_time,
    end_time: row.end_time,
    freeze_start_date: row.freeze_start_date,
    freeze_end_date: row.freeze_end_date,
    freeze_reason: row.freeze_reason,
    freeze_keep_end_time: row.freeze_keep_end_time,
    cancelled_at: row.cancelled_at,
    refund_minor: row.refund_minor,
    expired_at: row.expired_at,
    event_seq: row.event_seq,
    updated_at: row.updated_at,
    grace_end_time: row.grace_end_time,
    freeze_start_time: row.freeze_start_time,
    freeze_end_time: row.freeze_end_time,
    units_left: row.units_left,
    service_units_left: row.service_units_left,
  };
}

/** Every column of these rows as values of a shape, under `prefix` and the row's index. */
function flatten(values: Record<string, unknown>, prefix: string, rows: readonly Record<string, unknown>[]): void {
  rows.forEach((row, i) => {
    for (const [column, value] of Object.entries(row)) values[`${prefix}${i}.${column}`] = value;
  });
}

/** The rows back from a shape's placeholders: each column of row i under `prefix` + i. */
function rowsOf(v: Record<string, unknown>, prefix: string, rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row, i) => Object.fromEntries(Object.keys(row).map((column) => [column, v[`${prefix}${i}.${column}`]])));
}

/** PostgreSQL: the whole change as one statement; false when a guard changed no row. */
export async function writeInOneStatement(q: Queryable, db: Db, change: PackageChange): Promise<boolean> {
  const { companyId, id: packageId } = change.state;
  const inserts = change.redemptions.flatMap((w) => (w.kind === 'insert' ? [m.redemptionToRow(w.redemption) as unknown as Record<string, unknown>] : []));
  const transitions = change.redemptions.flatMap((w) => (w.kind === 'transition' ? [w] : []));
  const events = change.events.map((e) => m.eventToRow(e) as unknown as Record<string, unknown>);
  const messages = change.messages.map((msg) => messageToRow(msg) as unknown as Record<string, unknown>);
  const state = stateColumns(m.packageToRow(change.state));

  const values: Record<string, unknown> = { companyId, packageId };
  change.moves.forEach((mv, i) => {
    const { n, free } = unitsOf(mv) as { n: number; free?: number };
    values[`m${i}.item`] = mv.itemId;
    values[`m${i}.n`] = n;
    if (free !== undefined) values[`m${i}.free`] = free;
  });
  transitions.forEach((t, i) => {
    Object.assign(values, { [`t${i}.id`]: t.id, [`t${i}.from`]: t.from, [`t${i}.to`]: t.to, [`t${i}.at`]: change.at });
    if (t.value !== undefined) values[`t${i}.value`] = t.value.minor;
  });
  flatten(values, 'r', inserts);
  flatten(values, 'e', events);
  flatten(values, 'w', messages);
  for (const [column, value] of Object.entries(state)) values[`s.${column}`] = value;

  // The name carries what the keys do not: each move's kind (its SQL). Counts and columns are in the keys.
  const name = `packages.change.${change.moves.map((mv) => mv.kind).join('.')}`;
  const compiled = db.shapes.compile(name, values as ShapeValues, (v: Record<string, unknown>) => {
    let w = q as unknown as Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const counted: string[] = [];
    const one = sql`1`.as('one');
    change.moves.forEach((mv, i) => {
      const g = guarded(mv.kind, v[`m${i}.n`], v[`m${i}.free`]);
      w = w.with(`m${i}`, (d) =>
        d.updateTable('package_items').set(g.set).where('company_id', '=', v.companyId).where('package_id', '=', v.packageId).where('item_id', '=', v[`m${i}.item`]).where(g.guard as never).returning(one),
      ) as never;
      counted.push(`m${i}`);
    });
    transitions.forEach((t, i) => {
      const set = { status: v[`t${i}.to`], updated_at: v[`t${i}.at`], ...(t.value !== undefined ? { value_minor: v[`t${i}.value`] } : {}) };
      w = w.with(`t${i}`, (d) =>
        d.updateTable('redemptions').set(set).where('company_id', '=', v.companyId).where('redemption_id', '=', v[`t${i}.id`]).where('status', '=', v[`t${i}.from`]).returning(one),
      ) as never;
      counted.push(`t${i}`);
    });
    if (inserts.length > 0) w = w.with('r', (d) => d.insertInto('redemptions').values(rowsOf(v, 'r', inserts))) as never;
    if (events.length > 0) w = w.with('e', (d) => d.insertInto('package_events').values(rowsOf(v, 'e', events))) as never;
    if (messages.length > 0) w = w.with('w', (d) => d.insertInto('webhook_messages').values(rowsOf(v, 'w', messages))) as never;
    const columns = Object.fromEntries(Object.keys(state).map((column) => [column, v[`s.${column}`]]));
    w = w.with('s', (d) => d.updateTable('packages').set(columns).where('company_id', '=', v.companyId).where('package_id', '=', v.packageId)) as never;
    const counts = counted.map((cte) => sql<number>`(SELECT count(*) FROM ${sql.table(cte)})`.as(cte));
    return w.selectNoFrom([sql<number>`1`.as('written'), ...counts]);
  });
  const row = (await q.executeQuery(compiled)).rows[0] as Record<string, unknown> | undefined;
  const guards = change.moves.length + transitions.length;
  const held = Object.entries(row ?? {}).filter(([k, n]) => k !== 'written' && Number(n) === 1).length;
  return row !== undefined && held === guards;
}
