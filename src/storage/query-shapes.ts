// Kysely builds and compiles a query's SQL on every call, and on the hot reads (a customer's packages, a list
// of ids) that cost more than the database's own work: a quarter of a ListPackages request went to it. A
// query's SQL depends only on its shape (which filters are given, how many ids), never on the values, so each
// shape is built once, with a placeholder for every value, and later calls only put the values in their
// places. The SQL text is then the same on every call, which is what lets SQLite keep its prepared statement
// and PostgreSQL a named one (database.ts).
import { CompiledQuery } from 'kysely';
import type { Compilable } from 'kysely';

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

/** A shape as it was first built: the record's keys in order, and each one's form (see formOf). */
interface KnownShape {
  readonly keys: readonly string[];
  readonly forms: readonly number[];
  readonly shape: Shape;
}

/** A value's form in a shape: absent (-1), one scalar (-2), a ListParameter (-3), or a list of that length. */
function formOf(value: ShapeValues[string]): number {
  if (value === undefined) return -1;
  if (value instanceof ListParameter) return -3;
  return Array.isArray(value) ? value.length : -2;
}

export class QueryShapes {
  // By name, the shapes built under it: usually one, a few where values may be absent or lists vary. Found by
  // comparing keys and forms, not by a string made of them: the write path's rows have a dozen keys or more,
  // and building and hashing that string cost more than the rest of the call.
  private readonly byName = new Map<string, KnownShape[]>();
  private count = 0;

  /** `onShape` learns the SQL text of each shape built (PostgreSQL names them: database.ts). */
  constructor(
    private readonly max = 500,
    private readonly onShape?: (sql: string) => void,
  ) {}

  /**
   * The query `build` makes of these values. `name` says which query this is; the shape is the name with each
   * value's presence and each list's length, in the order of the record's keys (a call site writes them in one
   * order; another order is another shape, never a wrong one). The first call of a shape builds it with
   * placeholders (so a builder may branch on which values are given and on list lengths, but must bind every
   * value as it is).
   */
  compile<R, V extends ShapeValues>(name: string, values: V, build: (v: Placeholders<V>) => Compilable<R>): CompiledQuery<R> {
    const keys = Object.keys(values);
    const forms = new Array<number>(keys.length);
    const flat: unknown[] = [];
    for (let i = 0; i < keys.length; i++) {
      const value = values[keys[i]!];
      const form = formOf(value);
      forms[i] = form;
      if (form === -3) flat.push((value as ListParameter).list);
      else if (form >= 0) flat.push(...(value as readonly Scalar[]));
      else if (form === -2) flat.push(value);
    }
    let known = this.find(name, keys, forms);
    if (!known) {
      known = shapeOf(keys, values, flat.length, build as (v: unknown) => Compilable<R>);
      this.remember(name, { keys, forms, shape: known });
      this.onShape?.(known.sql);
    }
    return CompiledQuery.raw(
      known.sql,
      known.parameters.map((p) => (p instanceof Placeholder ? flat[p.index] : p.constant)),
    ) as CompiledQuery<R>;
  }

  private find(name: string, keys: readonly string[], forms: readonly number[]): Shape | undefined {
    const candidates = this.byName.get(name);
    if (!candidates) return undefined;
    next: for (const c of candidates) {
      if (c.keys.length !== keys.length) continue;
      for (let i = 0; i < keys.length; i++) if (c.keys[i] !== keys[i] || c.forms[i] !== forms[i]) continue next;
      return c.shape;
    }
    return undefined;
  }

  // Bounded: past `max` shapes (lists of every length, say) all are forgotten and built again as they come.
  private remember(name: string, known: KnownShape): void {
    if (this.count >= this.max) {
      this.byName.clear();
      this.count = 0;
    }
    const list = this.byName.get(name);
    if (list) list.push(known);
    else this.byName.set(name, [known]);
    this.count++;
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
