// Query shapes: a query's SQL is built once per shape (which values are given, how long each list is) with a
// placeholder for every value, and later calls only bind their values. Checked on each engine against a table
// of its own, by comparing each shape's rows with the same query built by Kysely as usual.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Compilable, type Kysely } from 'kysely';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/engines.js';
import type { Db } from '../../src/storage/database.js';
import { ListParameter, QueryShapes } from '../../src/storage/query-shapes.js';

interface ShapeDb {
  shape_rows: { id: string; n: number; tag: string };
}

const ROWS = [
  { id: 'a', n: 1, tag: 'red' },
  { id: 'b', n: 2, tag: 'blue' },
  { id: 'c', n: 3, tag: 'red' },
  { id: 'd', n: 4, tag: 'blue' },
  { id: 'e', n: 5, tag: 'red' },
  { id: 'f', n: 6, tag: 'green' },
];

describe.each(ENGINES)('query shapes on %s', (engine) => {
  let database: TestDatabase;
  let db: Db;
  let k: Kysely<ShapeDb>;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    db = await database.open({ poolSize: 1 }); // one connection: its prepared statements are the pool's
    k = db.kysely as unknown as Kysely<ShapeDb>;
    await sql`CREATE TABLE shape_rows (id TEXT PRIMARY KEY, n INTEGER NOT NULL, tag TEXT NOT NULL)`.execute(k);
    await k.insertInto('shape_rows').values(ROWS).execute();
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** Runs a compiled query; the ids it found, in order. */
  const ids = async (q: Compilable<{ id: string }> | ReturnType<QueryShapes['compile']>) => {
    const compiled = 'compile' in q ? q.compile() : q;
    const { rows } = await k.executeQuery(compiled);
    return (rows as { id: string }[]).map((r) => r.id);
  };

  /** A shapes instance of the test's own, counting the SQL texts it learns. */
  const counting = () => {
    const learned: string[] = [];
    return { shapes: new QueryShapes(500, (text) => learned.push(text)), learned };
  };

  // The values are named so that their sorted order (amax, limit, zmin) differs from the order the builder
  // binds them in (zmin, amax, limit): each must still land in its own place.
  const between = (v: { zmin: unknown; amax: unknown; limit: unknown }) =>
    k
      .selectFrom('shape_rows')
      .select('id')
      .where('n', '>=', v.zmin as number)
      .where('n', '<=', v.amax as number)
      .where('tag', '!=', 'green') // a constant the builder binds itself
      .orderBy('id')
      .limit(v.limit as number);

  it('binds each call its own values in one shape, built once', async () => {
    const { shapes, learned } = counting();
    let built = 0;
    const run = (values: { zmin: number; amax: number; limit: number }) =>
      shapes.compile('rows.between', values, (v) => {
        built++;
        return between(v);
      });
    const cases = [
      { zmin: 2, amax: 5, limit: 10 },
      { zmin: 1, amax: 6, limit: 2 },
      { zmin: 4, amax: 4, limit: 1 },
      { zmin: 5, amax: 2, limit: 10 },
      { zmin: 1, amax: 6, limit: 10 },
    ];
    const texts = new Set<string>();
    for (const values of cases) {
      const compiled = run(values);
      texts.add(compiled.sql);
      expect(await ids(compiled)).toEqual(await ids(between(values)));
    }
    expect(await ids(run(cases[0]!))).toEqual(['b', 'c', 'd', 'e']);
    expect(await ids(run(cases[1]!))).toEqual(['a', 'b']);
    expect(await ids(run(cases[3]!))).toEqual([]);
    expect(await ids(run(cases[4]!))).toEqual(['a', 'b', 'c', 'd', 'e']); // green is left out by the constant
    expect(built).toBe(1);
    expect(learned).toHaveLength(1);
    // One text for the shape on every call, and it is Kysely's own for these values.
    expect([...texts]).toEqual([learned[0]]);
    expect(learned[0]).toBe(between(cases[0]!).compile().sql);
    expect(run(cases[2]!).parameters).toEqual(between(cases[2]!).compile().parameters);
  });

  it('builds another shape for another list length, and binds the list values of the same length anew', async () => {
    const { shapes, learned } = counting();
    let built = 0;
    const byIds = (list: string[]) =>
      shapes.compile('rows.ids', { list }, (v) => {
        built++;
        return k.selectFrom('shape_rows').select('id').where('id', 'in', [...(v.list as string[])]).orderBy('id');
      });
    expect(await ids(byIds(['a', 'c']))).toEqual(['a', 'c']);
    expect(await ids(byIds(['f', 'b']))).toEqual(['b', 'f']);
    expect(built).toBe(1);
    expect(await ids(byIds(['e', 'd', 'a']))).toEqual(['a', 'd', 'e']);
    expect(await ids(byIds(['x']))).toEqual([]);
    expect(await ids(byIds(['b', 'x']))).toEqual(['b']);
    expect(built).toBe(3);
    expect(new Set(learned).size).toBe(3);
    expect(byIds(['a', 'b', 'c']).parameters).toEqual(['a', 'b', 'c']);
    // and an absent value is a shape of its own
    let optionalBuilt = 0;
    const tagged = (tag: string | undefined) =>
      shapes.compile('rows.tag', { tag }, (v) => {
        optionalBuilt++;
        let q = k.selectFrom('shape_rows').select('id').orderBy('id');
        if (v.tag !== undefined) q = q.where('tag', '=', v.tag as string);
        return q;
      });
    expect(await ids(tagged('blue'))).toEqual(['b', 'd']);
    expect(await ids(tagged(undefined))).toEqual(ROWS.map((r) => r.id));
    expect(await ids(tagged('green'))).toEqual(['f']);
    expect(optionalBuilt).toBe(2);
  });

  it('binds a ListParameter as one parameter: one text for every length', async () => {
    const { shapes, learned } = counting();
    let built = 0;
    const anyOf = (list: string[]) =>
      shapes.compile('rows.any', { list: new ListParameter(list), tag: 'red' }, (v) => {
        built++;
        return k
          .selectFrom('shape_rows')
          .select('id')
          .where(sql<boolean>`${sql.ref('id')} = ANY(${v.list})`)
          .where('tag', '=', v.tag as string)
          .orderBy('id');
      });
    const one = anyOf(['a', 'b', 'c']);
    expect(one.parameters).toEqual([['a', 'b', 'c'], 'red']);
    expect(anyOf(['e']).parameters).toEqual([['e'], 'red']);
    expect(anyOf([]).sql).toBe(one.sql);
    expect(built).toBe(1);
    expect(learned).toEqual([one.sql]);
    if (engine === 'postgres') {
      expect(db.lists).toBe('arrays');
      expect(one.sql).toMatch(/"id" = ANY\(\$1\)/);
      expect(await ids(one)).toEqual(['a', 'c']);
      expect(await ids(anyOf(['e', 'f', 'b', 'a']))).toEqual(['a', 'e']);
      expect(await ids(anyOf([]))).toEqual([]);
    } else {
      // SQLite binds no arrays: its stores bind lists as one parameter each.
      expect(db.lists).toBe('values');
    }
    // A ListParameter and a plain list of the same values are different shapes.
    shapes.compile('rows.any', { list: ['a'], tag: 'red' }, (v) => k.selectFrom('shape_rows').select('id').where('id', 'in', [...(v.list as string[])]).where('tag', '=', v.tag as string));
    expect(learned).toHaveLength(2);
  });

  it('refuses a builder that reads a value instead of binding it', async () => {
    const { shapes, learned } = counting();
    const page = (values: { tag: string; limit: number }) =>
      shapes.compile('rows.page', values, (v) =>
        k
          .selectFrom('shape_rows')
          .select('id')
          .where('tag', '=', v.tag as string)
          .orderBy('id')
          .limit((v.limit as number) + 1),
      );
    expect(() => page({ tag: 'red', limit: 1 })).toThrow(/must bind its values as parameters, not read them/);
    // Refused every time, not kept as a shape.
    expect(() => page({ tag: 'blue', limit: 5 })).toThrow(/must bind/);
    // Also one that binds a value and reads it as well (which the count of bound values alone would let through).
    expect(() =>
      shapes.compile('rows.both', { tag: 'red' }, (v) => k.selectFrom('shape_rows').select('id').where('tag', '=', v.tag as string).where('id', '=', `${v.tag as string}-x`)),
    ).toThrow(/not read them/);
    expect(learned).toEqual([]);
    // Nor one that leaves a value out, or puts it into the text.
    expect(() => shapes.compile('rows.unused', { tag: 'red', n: 3 }, (v) => k.selectFrom('shape_rows').select('id').where('tag', '=', v.tag as string))).toThrow(
      /must bind each of its 2 values as a parameter; it bound 1/,
    );
    expect(() => shapes.compile('rows.lit', { tag: 'red' }, (v) => k.selectFrom('shape_rows').select('id').where('tag', '=', sql.lit(String(v.tag))))).toThrow(/must bind/);
    expect(() => shapes.compile('rows.listread', { list: ['a', 'b'] }, (v) => k.selectFrom('shape_rows').select('id').where('id', 'in', [(v.list as string[])[0]!]))).toThrow(
      /must bind each of its 2 values/,
    );
    // The same query binding its limit is accepted, and binds the limit asked (the caller adds the one).
    const bound = (values: { tag: string; limit: number }) =>
      shapes.compile('rows.page', values, (v) => k.selectFrom('shape_rows').select('id').where('tag', '=', v.tag as string).orderBy('id').limit(v.limit as number));
    expect(await ids(bound({ tag: 'red', limit: 1 + 1 }))).toEqual(['a', 'c']);
    expect(await ids(bound({ tag: 'blue', limit: 1 }))).toEqual(['b']);
  });

  it('builds a shape again once the cache has dropped it, to the same text', () => {
    const learned: string[] = [];
    const shapes = new QueryShapes(1, (text) => learned.push(text));
    const a = (limit: number) => shapes.compile('rows.a', { limit }, (v) => k.selectFrom('shape_rows').select('id').limit(v.limit as number));
    const b = (tag: string) => shapes.compile('rows.b', { tag }, (v) => k.selectFrom('shape_rows').select('id').where('tag', '=', v.tag as string));
    const first = a(1).sql;
    b('red');
    expect(a(2)).toMatchObject({ sql: first, parameters: [2] });
    expect(learned).toEqual([first, b('x').sql, first, b('y').sql]);
  });

  it.runIf(engine === 'postgres')('sends a shape by name: prepared once on the connection, under a digest of its text', async () => {
    const prepared = async () => {
      const { rows } = await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements ORDER BY name`.execute(k);
      return rows;
    };
    const before = await prepared();
    const values = (tag: string) => ({ tag, ids: new ListParameter(['a', 'b', 'c', 'd']) });
    const compile = (tag: string) =>
      db.shapes.compile('test.rows.tagged', values(tag), (v) =>
        k.selectFrom('shape_rows').select('id').where('tag', '=', v.tag as string).where(sql<boolean>`${sql.ref('id')} = ANY(${v.ids})`).orderBy('id'),
      );
    const red = compile('red');
    expect(await ids(red)).toEqual(['a', 'c']);
    expect(await ids(compile('blue'))).toEqual(['b', 'd']);
    const name = `pc_${crypto.createHash('sha1').update(red.sql).digest('hex').slice(0, 20)}`;
    const after = await prepared();
    const added = after.filter((r) => !before.some((b) => b.name === r.name));
    expect(added).toEqual([{ name, statement: red.sql }]);
    expect(name).toMatch(/^pc_[0-9a-f]{20}$/);
    // A query that is no shape goes by text, as before: it names nothing.
    expect(await ids(k.selectFrom('shape_rows').select('id').where('tag', '=', 'green'))).toEqual(['f']);
    expect((await prepared()).map((r) => r.name)).toEqual(after.map((r) => r.name));
  });
});
