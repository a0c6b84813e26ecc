// The write path's statements as query shapes (query-shapes.ts): a redemption issues half a dozen small
// statements, and Kysely building and compiling each one cost more than SQLite running it. Each is built once
// per table and column set; later calls only bind their values.
import type { CompiledQuery } from 'kysely';
import type { Db, Queryable } from './database.js';
import type { Database } from './schema.js';
import type { ShapeValues } from './query-shapes.js';

type Table = keyof Database;

/** Inserts one row, every column of it bound. */
export async function insertRow<T extends Table>(q: Queryable, db: Db, table: T, row: Database[T]): Promise<void> {
  const values = row as unknown as ShapeValues;
  await q.executeQuery(db.shapes.compile(`insert.${table}`, values, (v) => q.insertInto(table).values(v as never)));
}

/** The row of `table` with this key, every column. */
export async function rowByKey<T extends Table>(q: Queryable, db: Db, table: T, key: Partial<Record<keyof Database[T] & string, string>>): Promise<Database[T] | undefined> {
  const values = key as ShapeValues;
  const compiled = db.shapes.compile(`get.${table}`, values, (v) => {
    let query = (q as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>).selectFrom(table).selectAll();
    for (const column of Object.keys(values).sort()) query = query.where(column, '=', v[column]);
    return query;
  }) as CompiledQuery<Database[T]>;
  return (await q.executeQuery(compiled)).rows[0];
}

/** How many rows a statement changed, on either engine. */
export const changedRows = (result: { numAffectedRows?: bigint; numUpdatedRows?: bigint }): number => Number(result.numAffectedRows ?? result.numUpdatedRows ?? 0);
