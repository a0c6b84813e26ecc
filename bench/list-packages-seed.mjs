// Bulk filler for the list-packages benchmark: copies one package the app sold (its packages row, its
// package_items rows and its package_events rows) N times under new package, customer and event ids, inside
// the database itself (INSERT … SELECT over a generated series), in one transaction per table batch. What it
// writes is exactly what the app wrote for that sale, so the server reads the copies like any other package.
// Run it while no server writes to the database.
import Database from 'better-sqlite3';
import pg from 'pg';

/** Table columns in order, from the engine's catalog. */
async function columnsOf(db, table) {
  if (db.engine === 'sqlite') return db.sqlite.prepare(`PRAGMA table_info(${table})`).all().map((c) => c.name);
  const r = await db.pg.query(
    'SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position',
    [table],
  );
  return r.rows.map((c) => c.column_name);
}

/** The id of filler copy number n, as the copies get them: fillerPackageId(42) is 'pkg_f000000042'. */
export const fillerPackageId = (n) => `pkg_f${String(n).padStart(9, '0')}`;

/** SQL for a zero-padded text of the series number n, e.g. 'pkg_f000000042'. */
function padded(engine, prefix, n) {
  return engine === 'sqlite' ? `printf('${prefix}%09d', ${n})` : `'${prefix}' || lpad((${n})::text, 9, '0')`;
}

/** Opens the database the server uses: the SQLite file in its data directory, or PostgreSQL at its URL. */
export async function openBenchDb({ sqliteFile, databaseUrl }) {
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return { engine: 'postgres', pg: client, close: () => client.end() };
  }
  const sqlite = new Database(sqliteFile);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  return { engine: 'sqlite', sqlite, close: async () => sqlite.close() };
}

/** Runs one statement with ? placeholders on PostgreSQL ($1, $2…). */
function pgQuery(db, sql, params) {
  let i = 0;
  return db.pg.query(sql.replace(/\?/g, () => `$${++i}`), params);
}

/**
 * Adds copies number `from` to `to` (inclusive) of package `sourceId` of `companyId`, spread over
 * `customers` filler customers (cus_f000000000 …), in batches of `batch` packages per transaction.
 * onProgress(n) after each batch (n: the last copy number written), and onProgress(to, note) before the final
 * VACUUM/ANALYZE.
 */
export async function addFillerPackages(db, { companyId, sourceId, from, to, customers, batch = 100_000, onProgress }) {
  const tables = {
    packages: await columnsOf(db, 'packages'),
    package_items: await columnsOf(db, 'package_items'),
    package_events: await columnsOf(db, 'package_events'),
  };
  const series = (lo, hi) =>
    db.engine === 'sqlite'
      ? { with: `WITH RECURSIVE g(n) AS (SELECT ${lo} UNION ALL SELECT n + 1 FROM g WHERE n < ${hi}) `, from: 'g' }
      : { with: '', from: `generate_series(${lo}, ${hi}) AS g(n)` };
  const replaced = {
    package_id: padded(db.engine, 'pkg_f', 'g.n'),
    customer_id: padded(db.engine, 'cus_f', `g.n % ${customers}`),
    event_id: padded(db.engine, 'evt_f', 'g.n') + ` || '_' || s.seq`,
  };
  const statement = (table, lo, hi) => {
    const cols = tables[table];
    const select = cols.map((c) => (c in replaced ? replaced[c] : `s.${c}`)).join(', ');
    const { with: w, from: f } = series(lo, hi);
    return `${w}INSERT INTO ${table} (${cols.join(', ')}) SELECT ${select} FROM ${f} CROSS JOIN ${table} s WHERE s.company_id = ? AND s.package_id = ?`;
  };
  for (let lo = from; lo <= to; lo += batch) {
    const hi = Math.min(to, lo + batch - 1);
    if (db.engine === 'sqlite') {
      db.sqlite.transaction(() => {
        for (const table of Object.keys(tables)) db.sqlite.prepare(statement(table, lo, hi)).run(companyId, sourceId);
      })();
    } else {
      await db.pg.query('BEGIN');
      try {
        for (const table of Object.keys(tables)) await pgQuery(db, statement(table, lo, hi), [companyId, sourceId]);
        await db.pg.query('COMMIT');
      } catch (error) {
        await db.pg.query('ROLLBACK');
        throw error;
      }
    }
    onProgress?.(hi);
  }
  // Statistics for the planner, and on PostgreSQL a VACUUM too: it sets the hint bits and the visibility map of
  // the millions of new rows now, so neither the first reads nor autovacuum (which an insert-only table of this
  // size triggers) do that work in the middle of a measurement. VACUUM runs outside a transaction, one table a
  // statement. The indexes stay throughout: the copies are inserted as the app's own rows would be.
  onProgress?.(to, `vacuum and analyze after ${(to - from + 1).toLocaleString('en')} filler packages…`);
  if (db.engine === 'postgres') {
    for (const table of Object.keys(tables)) await db.pg.query(`VACUUM (ANALYZE) ${table}`);
    // And the dirty pages written now, not by the checkpointer in the middle of the next measurement: after ten
    // million rows that flush took the bare server's own p99 from 1 to 5 ms on this machine.
    await db.pg.query('CHECKPOINT');
  } else db.sqlite.exec('ANALYZE');
}

/** How many packages, items and ledger events the company has: proof the copies landed. */
export async function countRows(db, companyId) {
  const counts = {};
  for (const table of ['packages', 'package_items', 'package_events']) {
    const sql = `SELECT count(*) AS n FROM ${table} WHERE company_id = ?`;
    counts[table] = Number(db.engine === 'sqlite' ? db.sqlite.prepare(sql).get(companyId).n : (await pgQuery(db, sql, [companyId])).rows[0].n);
  }
  return counts;
}
