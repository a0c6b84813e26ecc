// The statement rule for a database distributed by company (Citus): every statement that touches a tenant table
// is about one company. Each tenant table a SELECT, UPDATE or DELETE reads is constrained by
// `company_id = <one value>`, directly or by an equality of company_id with a table so constrained (a join, or a
// correlated subquery's outer table), and every such value in the statement is the same one; an INSERT's rows all
// carry that one company_id. Statements are parsed by PostgreSQL's own parser (libpg-query), and the values
// compared are the recorded parameters' (storage/sql-record.ts records which of them are equal).
// Not tenant statements: those that name no tenant table (transaction control, LISTEN and pg_notify, the
// snapshot, advisory locks, catalog reads, the companies and schema_migrations tables), DDL and maintenance
// (CREATE, ALTER, ANALYZE: not SELECT, INSERT, UPDATE or DELETE), and the migrations' own statements.
import { loadModule, parseSync } from 'libpg-query';
import { loadMigrations } from '../../src/storage/migrate.js';
import type { RecordedStatement } from '../../src/storage/sql-record.js';
import { TENANT_COLUMN, TENANT_TABLES } from '../../src/storage/tenancy.js';

/** libpg-query's JSON: every node is { Type: fields }. */
type Node = Record<string, unknown>;

export interface StatementProblem {
  readonly statement: RecordedStatement;
  readonly problems: readonly string[];
}

/** A value company_id is compared with: a parameter (by the class of its value) or a literal. */
type Pin = { readonly kind: 'param'; readonly n: number } | { readonly kind: 'const'; readonly value: string };

interface Entry {
  readonly name: string;
  readonly table: string | null;
  readonly tenant: boolean;
  pin: Pin | null;
}

interface Scope {
  readonly entries: Entry[];
}

const TENANT = new Set<string>(TENANT_TABLES);

const typeOf = (node: unknown): string | undefined => (node && typeof node === 'object' ? Object.keys(node)[0] : undefined);
const body = (node: unknown): Node => (node as Record<string, Node>)[typeOf(node)!]!;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (node: unknown): string | undefined => (typeOf(node) === 'String' ? (body(node).sval as string) : undefined);

/** A parameter or literal, through casts; null for anything else. */
function valueOf(node: unknown): Pin | null {
  const t = typeOf(node);
  if (t === 'TypeCast') return valueOf(body(node).arg);
  if (t === 'ParamRef') return { kind: 'param', n: body(node).number as number };
  if (t === 'A_Const') {
    const c = body(node);
    if (c.isnull) return null;
    const inner = Object.values(c).find((v) => v && typeof v === 'object') as Node | undefined;
    return { kind: 'const', value: JSON.stringify(inner ? Object.values(inner)[0] : null) };
  }
  return null;
}

class Analysis {
  readonly problems: string[] = [];
  readonly pins: Pin[] = [];
  /** Subqueries in FROM and in ON conditions: checked once their scope's tables are pinned (a LATERAL one may lean on them). */
  private deferred: (() => void)[] = [];
  constructor(private readonly ctes: ReadonlySet<string>) {}

  /** The entry a column reference names, if it is company_id of a table in reach. */
  private companyColumn(node: unknown, scopes: readonly Scope[]): Entry | undefined {
    if (typeOf(node) === 'TypeCast') return this.companyColumn(body(node).arg, scopes);
    if (typeOf(node) !== 'ColumnRef') return undefined;
    const fields = list(body(node).fields).map(str);
    if (fields[fields.length - 1] !== TENANT_COLUMN) return undefined;
    if (fields.length >= 2) {
      const alias = fields[fields.length - 2];
      for (const scope of scopes) {
        const found = scope.entries.find((e) => e.name === alias);
        if (found) return found;
      }
      return undefined;
    }
    // Unqualified: the one tenant table of the nearest scope that has one (two would be ambiguous SQL).
    for (const scope of scopes) {
      const tenants = scope.entries.filter((e) => e.tenant);
      if (tenants.length === 1) return tenants[0];
      if (tenants.length > 1) return undefined;
    }
    return undefined;
  }

  private conjuncts(node: unknown): unknown[] {
    if (typeOf(node) === 'BoolExpr' && body(node).boolop === 'AND_EXPR') return list(body(node).args).flatMap((a) => this.conjuncts(a));
    return node ? [node] : [];
  }

  /** The scope's tables from a FROM list; pushes the ON conditions with the tables each may constrain. */
  private fromItems(items: unknown[], scope: Scope, outer: readonly Scope[], quals: { expr: unknown; restricts: Set<Entry> | null }[]): Entry[] {
    const added: Entry[] = [];
    for (const item of items) {
      const t = typeOf(item);
      const b = body(item);
      if (t === 'RangeVar') {
        const table = b.relname as string;
        const alias = (b.alias as Node | undefined)?.aliasname as string | undefined;
        const isCte = !b.schemaname && this.ctes.has(table);
        const entry: Entry = { name: alias ?? table, table, tenant: !isCte && TENANT.has(table), pin: null };
        scope.entries.push(entry);
        added.push(entry);
      } else if (t === 'JoinExpr') {
        const left = this.fromItems([b.larg], scope, outer, quals);
        const right = this.fromItems([b.rarg], scope, outer, quals);
        // An outer join's ON condition restricts only the side that may go missing.
        const jointype = b.jointype as string;
        const restricts = jointype === 'JOIN_INNER' ? null : jointype === 'JOIN_LEFT' ? new Set(right) : jointype === 'JOIN_RIGHT' ? new Set(left) : new Set<Entry>();
        if (b.quals) for (const c of this.conjuncts(b.quals)) quals.push({ expr: c, restricts });
        this.deferred.push(() => this.subqueriesIn(b.quals, [scope, ...outer]));
        added.push(...left, ...right);
      } else if (t === 'RangeSubselect') {
        const alias = (b.alias as Node | undefined)?.aliasname as string;
        this.deferred.push(() => this.query(b.subquery, [scope, ...outer]));
        const entry: Entry = { name: alias, table: null, tenant: false, pin: null };
        scope.entries.push(entry);
        added.push(entry);
      } else if (t === 'RangeFunction') {
        this.deferred.push(() => this.subqueriesIn(b, [scope, ...outer]));
        const alias = (b.alias as Node | undefined)?.aliasname as string | undefined;
        const entry: Entry = { name: alias ?? '(function)', table: null, tenant: false, pin: null };
        scope.entries.push(entry);
        added.push(entry);
      } else {
        this.problems.push(`a FROM item this check does not know: ${t}`);
      }
    }
    return added;
  }

  /** Pins the scope's tables from its conditions, then checks each tenant table is pinned. */
  private settle(scope: Scope, outer: readonly Scope[], quals: { expr: unknown; restricts: Set<Entry> | null }[]): void {
    const scopes = [scope, ...outer];
    const edges: { a: Entry; b: Entry; restricts: Set<Entry> | null }[] = [];
    for (const { expr, restricts } of quals) {
      const t = typeOf(expr);
      if (t !== 'A_Expr') continue;
      const e = body(expr);
      const op = list(e.name).map(str).join('.');
      const may = (entry: Entry) => restricts === null || restricts.has(entry);
      if (e.kind === 'AEXPR_OP' && op === '=') {
        const l = this.companyColumn(e.lexpr, scopes);
        const r = this.companyColumn(e.rexpr, scopes);
        const lv = valueOf(e.lexpr);
        const rv = valueOf(e.rexpr);
        if (l && rv && may(l)) this.pinTo(l, rv);
        else if (r && lv && may(r)) this.pinTo(r, lv);
        else if (l && r) edges.push({ a: l, b: r, restricts });
      } else if (e.kind === 'AEXPR_IN' && op === '=') {
        const l = this.companyColumn(e.lexpr, scopes);
        const values = list(e.rexpr);
        const v = values.length === 1 ? valueOf(values[0]) : null;
        if (l && v && may(l)) this.pinTo(l, v);
      }
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const { a, b, restricts } of edges) {
        const may = (entry: Entry) => restricts === null || restricts.has(entry);
        if (a.pin && !b.pin && may(b)) {
          b.pin = a.pin;
          changed = true;
        } else if (b.pin && !a.pin && may(a)) {
          a.pin = b.pin;
          changed = true;
        }
      }
    }
    for (const entry of scope.entries) {
      if (entry.tenant && !entry.pin) {
        const as = entry.name === entry.table ? '' : ` (as ${entry.name})`;
        this.problems.push(`${entry.table}${as} is not constrained to one ${TENANT_COLUMN}`);
      }
    }
    for (const run of this.deferred.splice(0)) run();
  }

  private pinTo(entry: Entry, pin: Pin): void {
    entry.pin ??= pin;
    this.pins.push(pin);
  }

  /** Every subquery in an expression tree (not in FROM lists, which fromItems takes). */
  private subqueriesIn(node: unknown, scopes: readonly Scope[]): void {
    if (Array.isArray(node)) {
      for (const n of node) this.subqueriesIn(n, scopes);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === 'SubLink') {
        const s = value as Node;
        this.subqueriesIn(s.testexpr, scopes);
        this.query(s.subselect, scopes);
      } else this.subqueriesIn(value, scopes);
    }
  }

  private withClause(w: unknown, outer: readonly Scope[]): void {
    if (!w) return;
    for (const cte of list((w as Node).ctes)) this.query(body(cte).ctequery, outer);
  }

  /** Checks one query (SELECT, INSERT, UPDATE or DELETE) under the given outer scopes. */
  query(node: unknown, outer: readonly Scope[]): void {
    const t = typeOf(node);
    const b = body(node);
    if (t === 'SelectStmt') {
      this.withClause(b.withClause, outer);
      if (b.op && b.op !== 'SETOP_NONE') {
        this.query({ SelectStmt: b.larg }, outer);
        this.query({ SelectStmt: b.rarg }, outer);
        return;
      }
      const scope: Scope = { entries: [] };
      const quals: { expr: unknown; restricts: Set<Entry> | null }[] = [];
      this.fromItems(list(b.fromClause), scope, outer, quals);
      for (const c of this.conjuncts(b.whereClause)) quals.push({ expr: c, restricts: null });
      this.settle(scope, outer, quals);
      const { fromClause: _f, withClause: _w, ...rest } = b;
      this.subqueriesIn(rest, [scope, ...outer]);
      return;
    }
    if (t === 'UpdateStmt' || t === 'DeleteStmt') {
      this.withClause(b.withClause, outer);
      const scope: Scope = { entries: [] };
      const quals: { expr: unknown; restricts: Set<Entry> | null }[] = [];
      this.fromItems([{ RangeVar: b.relation }], scope, outer, quals);
      this.fromItems(list(t === 'UpdateStmt' ? b.fromClause : b.usingClause), scope, outer, quals);
      for (const c of this.conjuncts(b.whereClause)) quals.push({ expr: c, restricts: null });
      this.settle(scope, outer, quals);
      const { relation: _r, fromClause: _f, usingClause: _u, withClause: _w, ...rest } = b;
      this.subqueriesIn(rest, [scope, ...outer]);
      return;
    }
    if (t === 'InsertStmt') {
      this.insert(b, outer);
      return;
    }
    this.problems.push(`a statement this check does not know: ${t}`);
  }

  private insert(b: Node, outer: readonly Scope[]): void {
    this.withClause(b.withClause, outer);
    const relation = b.relation as Node;
    const table = relation.relname as string;
    const tenant = TENANT.has(table) && !(this.ctes.has(table) && !relation.schemaname);
    const columns = list(b.cols).map((c) => body(c).name as string);
    const at = columns.indexOf(TENANT_COLUMN);
    const source = b.selectStmt ? body(b.selectStmt) : undefined;
    if (tenant && at < 0) this.problems.push(`an INSERT into ${table} that names no ${TENANT_COLUMN}`);
    if (source?.valuesLists) {
      const rows = list(source.valuesLists).map((row) => list(body(row).items));
      rows.forEach((row, n) => {
        if (!tenant || at < 0) return;
        const v = valueOf(row[at]);
        if (v) this.pins.push(v);
        else this.problems.push(`row ${n + 1} of an INSERT into ${table}: ${TENANT_COLUMN} is not a value`);
      });
      this.subqueriesIn(source.valuesLists, outer);
    } else if (b.selectStmt) {
      // INSERT … SELECT: the SELECT is checked as a query, and the company_id it inserts must be one value.
      this.query(b.selectStmt, outer);
      if (tenant && at >= 0) {
        const target = list(source!.targetList)[at];
        const v = target ? valueOf(body(target).val) : null;
        if (v) this.pins.push(v);
        else this.problems.push(`an INSERT … SELECT into ${table} whose ${TENANT_COLUMN} is not a value`);
      }
    }
    if (b.onConflictClause) this.subqueriesIn(b.onConflictClause, outer);
  }
}

function namesTenantTable(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(namesTenantTable);
  if (!node || typeof node !== 'object') return false;
  for (const [key, value] of Object.entries(node as Node)) {
    // FROM lists hold { RangeVar }; an INSERT's, UPDATE's or DELETE's target is the RangeVar's fields as `relation`.
    if ((key === 'RangeVar' || key === 'relation') && TENANT.has((value as Node).relname as string)) return true;
    if (namesTenantTable(value)) return true;
  }
  return false;
}

function cteNames(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => cteNames(n, into));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === 'CommonTableExpr') into.add((value as Node).ctename as string);
      cteNames(value, into);
    }
  }
  return into;
}

const DML = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Call once before checkStatement (the parser is WebAssembly, loaded asynchronously). */
export const loadParser = loadModule;

/** Why a recorded statement breaks the rule; empty when it keeps it or is not a tenant statement. */
export function checkStatement(statement: RecordedStatement): string[] {
  let parsed;
  try {
    parsed = parseSync(statement.text);
  } catch (error) {
    return [`does not parse: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  for (const { stmt } of parsed.stmts ?? []) {
    const t = typeOf(stmt);
    if (!t || !DML.has(t) || !namesTenantTable(stmt)) continue;
    if (t === 'MergeStmt') {
      problems.push('MERGE is not checked: write it as INSERT … ON CONFLICT or UPDATE');
      continue;
    }
    const analysis = new Analysis(cteNames(stmt));
    analysis.query(stmt, []);
    problems.push(...analysis.problems);
    // One company: every value company_id is compared with or given is the same one.
    const companies = new Set<string>();
    for (const pin of analysis.pins) {
      if (pin.kind === 'const') {
        companies.add(`literal ${pin.value}`);
        continue;
      }
      const cls = statement.shape[pin.n - 1];
      if (cls === undefined) problems.push(`$${pin.n} has no recorded value`);
      else if (cls === null) problems.push(`${TENANT_COLUMN} is compared with NULL ($${pin.n})`);
      else if (Array.isArray(cls)) problems.push(`${TENANT_COLUMN} is compared with a list ($${pin.n})`);
      else companies.add(`value ${cls}`);
    }
    if (companies.size > 1) problems.push(`it is about ${companies.size} companies (${TENANT_COLUMN} takes ${companies.size} different values)`);
  }
  return problems;
}

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The recorded statements that break the rule, the migrations' own statements left out. */
export function checkRecorded(statements: readonly RecordedStatement[]): StatementProblem[] {
  const migrations = new Set(loadMigrations().flatMap((m) => m.statements.map(normalize)));
  const out: StatementProblem[] = [];
  for (const statement of statements) {
    if (migrations.has(normalize(statement.text))) continue;
    const problems = checkStatement(statement);
    if (problems.length > 0) out.push({ statement, problems });
  }
  return out;
}

/** The report of what broke the rule, for a person. */
export function describeProblems(found: readonly StatementProblem[]): string {
  return found
    .map(({ statement, problems }) => `- ${normalize(statement.text)}\n  parameters: ${JSON.stringify(statement.values)}\n  ${problems.join('\n  ')}`)
    .join('\n');
}
