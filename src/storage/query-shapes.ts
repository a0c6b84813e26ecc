// Kysely builds and compiles a query's SQL on every call, and on the hot reads (a customer's packages, a list
// of ids) that cost more than the database's own work: a quarter of a ListPackages request went to it. A
// query's SQL depends only on its shape (which filters are given, how many ids), never on the values, so each
// shape is built once, with a placeholder for every value, and later calls only put the values in their
// places. The SQL text is then the same on every call, which is what lets SQLite keep its prepared statement
// and PostgreSQL a named one (database.ts).
import { CompiledQuery } from 'kysely';
import type { Compilable } from 'kysely';
import { LRUCache } from 'lru-cache';

/** Stands for the value at `index` while a shape is built; never reaches the database, and cannot be read. */
class Placeholder {
  constructor(readonly index: number) {}

  // A builder that reads a value (to format it into the SQL, or do arithmetic) would keep the first call's
  // value for every later one: refuse it while the shape is built.
  [Symbol.toPrimitive](): never {
    throw new Error('a query shape must bind its values as parameters, not read them');
  }

  toJSON(): never {
    return this[Symbol.toPrimitive]();
  }
}

/** A list bound as one parameter (a PostgreSQL array): one SQL text for every length. */
export class ListParameter {
  constructor(readonly list: readonly Scalar[]) {}
}

/** A value that is not a list: what a query takes as one bound parameter. */
type Scalar = string | number | boolean | null;
/** Each value a scalar, a list (one parameter per element: the shape counts its length) or a ListParameter. */
export type ShapeValues = Record<string, Scalar | readonly Scalar[] | ListParameter | undefined>;
/**
 * The same record with a placeholder in place of each value (a list of them for a list): the builder must only
 * bind them, never look inside.
 */
export type Placeholders<V extends ShapeValues> = {
  readonly [K in keyof V]-?: undefined extends V[K] ? PlaceholderOf<Exclude<V[K], undefined>> | undefined : PlaceholderOf<V[K]>;
};
type PlaceholderOf<T> = T extends readonly Scalar[] ? readonly unknown[] : unknown;

interface Shape {
  readonly sql: string;
  /** Each parameter of the SQL: the index of the value it takes, or a constant the builder bound itself. */
  readonly parameters: readonly (Placeholder | { readonly constant: unknown })[];
}

export class QueryShapes {
  private readonly shapes: LRUCache<string, Shape>;

  /** `onShape` learns the SQL text of each shape built (PostgreSQL names them: database.ts). */
  constructor(max = 500, private readonly onShape?: (sql: string) => void) {
    this.shapes = new LRUCache({ max });
  }

  /**
   * The query `build` makes of these values. `name` says which query this is; the shape is the name with each
   * value's presence and each list's length, in the order of the record's keys (a call site writes them in one
   * order; another order is another shape, never a wrong one). The first call of a shape builds it with
   * placeholders (so a builder may branch on which values are given and on list lengths, but must bind every
   * value as it is).
   */
  compile<R, V extends ShapeValues>(name: string, values: V, build: (v: Placeholders<V>) => Compilable<R>): CompiledQuery<R> {
    // Not sorted: the write path's rows have a dozen keys or more, and sorting them cost more than the rest.
    const keys = Object.keys(values);
    const flat: unknown[] = [];
    let shape = name;
    for (const key of keys) {
      const value = values[key];
      if (value === undefined) continue;
      if (value instanceof ListParameter) {
        shape += `|${key}[]`;
        flat.push(value.list);
      } else if (Array.isArray(value)) {
        shape += `|${key}[${value.length}]`;
        flat.push(...value);
      } else {
        shape += `|${key}`;
        flat.push(value);
      }
    }
    let known = this.shapes.get(shape);
    if (!known) {
      known = shapeOf(keys, values, flat.length, build as (v: unknown) => Compilable<R>);
      this.shapes.set(shape, known);
      this.onShape?.(known.sql);
    }
    return CompiledQuery.raw(
      known.sql,
      known.parameters.map((p) => (p instanceof Placeholder ? flat[p.index] : p.constant)),
    ) as CompiledQuery<R>;
  }
}

function shapeOf<R>(keys: string[], values: ShapeValues, count: number, build: (v: unknown) => Compilable<R>): Shape {
  let next = 0;
  const slotted: Record<string, unknown> = {};
  for (const key of keys) {
    const value = values[key];
    if (value === undefined) slotted[key] = undefined;
    else if (Array.isArray(value) && !(value instanceof ListParameter)) slotted[key] = value.map(() => new Placeholder(next++));
    else slotted[key] = new Placeholder(next++);
  }
  const compiled = build(slotted).compile();
  const used = new Set<number>();
  const parameters = compiled.parameters.map((p) => {
    if (p instanceof Placeholder) {
      used.add(p.index);
      return p;
    }
    return { constant: p };
  });
  // A placeholder the builder read instead of binding would bind the wrong thing on every later call: refuse it.
  if (used.size !== count) throw new Error(`a query shape must bind each of its ${count} values as a parameter; it bound ${used.size}`);
  return { sql: compiled.sql, parameters };
}
