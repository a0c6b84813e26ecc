// Bringing a package from another system with its history intact: its rows are checked with the API's own
// rules (money, dates in the business's zone, ids), and it enters the ledger as if it had been sold and used
// here: one IMPORTED event holding the original totals, used counts and dates, its outstanding value at the
// moment of the import entering the liability report.
import type { LocalDate } from './calendar.js';
import { NEVER_EXPIRES, daysBetween, endOfLocalDate, formatInstant, isLocalDate, localDateOf, parseInstant, startOfLocalDay } from './calendar.js';
import { Changes, type Decision } from './decision.js';
import { DomainError } from './errors.js';
import type { Money } from './money.js';
import { compare, parseDecimalAmount, splitIntoUnits, sum, toDecimalString } from './money.js';
import type { CustomerPackage, PackageItem } from './package.js';
import { hasLapsed } from './package.js';
import { isValidId } from './reference.js';
import type { ItemKind } from './template.js';
import { allocateTemplatePrice, reallocate } from './template.js';
import { CLOCK_SKEW_MS, MAX_QUANTITY } from './visits.js';

/** One row of an import file: its cells by column name, and its line as counted in the file (header = 1). */
export interface ImportRow {
  readonly line: number;
  /** Cells by column name; an empty cell is absent. Columns the import does not name are ignored. */
  readonly cells: Readonly<Record<string, string>>;
}

/** A problem with one cell of one row, reported as `line 7: used`. */
export interface ImportProblem {
  readonly line: number;
  readonly column: string;
  readonly description: string;
}

export const MAX_SOURCE_ID = 64;
const MAX_NAME = 200;
const MAX_DESCRIPTION = 2000;
const MAX_UNITS = 1_000_000;
/** Items one package may have (a template's services and products lists take 100 each). */
export const MAX_IMPORT_ITEMS = 200;
const SOURCE_ID = /^[\x21-\x7e]+$/; // printable ASCII without spaces: the old system's ids are its own

/** What the import reads of the catalog and the company, so that the rules stay pure. */
export interface ImportLookups {
  business(id: string): { readonly id: string; readonly timeZone: string; readonly currencyCode: string } | undefined;
  service(id: string): { readonly name: string; readonly price: Money } | undefined;
  product(id: string): { readonly name: string; readonly price: Money } | undefined;
  staffExists(id: string): boolean;
  /** The customer exists, or the file creates it (names given on one of its rows). */
  customerKnown(id: string): boolean;
}

export interface ImportedItemSpec {
  readonly kind: ItemKind;
  /** Interchangeable services ("any one of these"), or the one product. */
  readonly refIds: readonly string[];
  readonly total: number;
  readonly used: number;
  /** The item's exact share of what was paid. */
  readonly value: Money;
}

/** A package as the old system had it, checked: what an import creates and what its IMPORTED event keeps. */
export interface ImportedPackageSpec {
  readonly sourceId: string;
  readonly customerId: string;
  readonly businessId: string;
  readonly timeZone: string;
  readonly name: string;
  readonly description: string;
  readonly templateId: string;
  readonly staffId: string | null;
  readonly invoiceNo: string | null;
  readonly price: Money;
  readonly paid: Money;
  readonly purchaseTime: number;
  readonly startTime: number;
  /** The local expiration date; null: it never expires. */
  readonly expirationDate: LocalDate | null;
  readonly items: readonly ImportedItemSpec[];
}

/** The IMPORTED event's details: the original package in plain JSON (amounts as decimal strings). */
export interface ImportedDetails {
  readonly sourceId: string;
  readonly customerId: string;
  readonly businessId: string;
  readonly name: string;
  readonly description: string;
  readonly templateId: string;
  readonly staffId: string | null;
  readonly invoiceNo: string | null;
  readonly currency: string;
  readonly price: string;
  readonly paidAmount: string;
  readonly purchaseTime: string;
  readonly startTime: string;
  /** yyyy-MM-dd, or "never". */
  readonly expirationDate: string;
  readonly items: readonly {
    readonly packageServiceId: string;
    readonly kind: ItemKind;
    readonly refIds: readonly string[];
    readonly total: number;
    readonly used: number;
    readonly value: string;
  }[];
}

/** Collects a row's problems: each reading of a cell either answers or records why not. */
class RowReader {
  constructor(
    readonly row: ImportRow,
    private readonly problems: ImportProblem[],
  ) {}

  get line(): number {
    return this.row.line;
  }

  problem(column: string, description: string): undefined {
    this.problems.push({ line: this.row.line, column, description });
    return undefined;
  }

  /** A cell's text, trimmed; undefined when empty. */
  text(column: string, max: number): string | undefined {
    const raw = this.row.cells[column];
    const value = raw === undefined ? '' : raw.trim();
    if (value === '') return undefined;
    if (value.length > max) return this.problem(column, `must be at most ${max} characters`);
    return value;
  }

  required(column: string, max: number): string | undefined {
    const value = this.text(column, max);
    if (value === undefined && !this.has(column)) return this.problem(column, 'is required');
    return value;
  }

  /** Whether the cell holds something (even something refused). */
  has(column: string): boolean {
    return (this.row.cells[column] ?? '').trim() !== '';
  }

  id(column: string, required: boolean): string | undefined {
    const value = required ? this.required(column, 64) : this.text(column, 64);
    if (value !== undefined && !isValidId(value)) return this.problem(column, 'must be 1–64 characters of A–Z, a–z, 0–9, _ and -');
    return value;
  }

  count(column: string, min: number, max: number): number | undefined {
    const value = this.required(column, 20);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) return this.problem(column, `must be a whole number from ${min} to ${max}`);
    return Number(value);
  }

  /** Runs a domain parser over a cell, recording its refusal in the cell's name. */
  parse<T>(column: string, parser: (value: string) => T, required: boolean): T | undefined {
    const value = required ? this.required(column, 40) : this.text(column, 40);
    if (value === undefined) return undefined;
    try {
      return parser(value);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return this.problem(column, error.fieldViolations[0]?.description ?? error.message);
    }
  }
}

/** A date cell: yyyy-MM-dd (the start of that day in the business's zone) or an RFC 3339 instant. */
function instantIn(timeZone: string, column: string) {
  return (value: string): number => (isLocalDate(value) ? startOfLocalDay(value, timeZone) : parseInstant(value, column));
}

/** Whether the row is one an export wrote for a cancelled package: such rows are skipped. */
export const isCancelledRow = (row: ImportRow): boolean => (row.cells.lifecycle ?? '').trim().toUpperCase() === 'CANCELLED';

interface RowItem {
  readonly line: number;
  readonly kind: ItemKind;
  readonly refIds: readonly string[];
  readonly total: number;
  readonly used: number;
  readonly unitPrice: Money | null | undefined;
  readonly itemValue: Money | null | undefined;
  readonly listUnitPrice: Money;
}

/** The columns an import reads (API.md), in the order an export writes them. */
export const IMPORT_COLUMN_NAMES = [
  'source_id', 'customer_id', 'business_id', 'package_name', 'package_description', 'template_id', 'service_id',
  'product_id', 'total', 'used', 'unit_price', 'item_value', 'price', 'currency', 'paid_amount', 'purchase_date',
  'start_date', 'expiration_date', 'staff_id', 'invoice_no', 'customer_first_name', 'customer_last_name',
  'customer_email', 'customer_phone',
] as const;

/** What a file's rows keep while it is checked; other columns are not even kept. */
export const IMPORT_COLUMNS: ReadonlySet<string> = new Set([
  ...IMPORT_COLUMN_NAMES,
  'lifecycle', // an export's, to skip its cancelled packages
]);

/** The package-level cells, which every row of a package repeats and must agree on. */
const PACKAGE_COLUMNS = [
  'customer_id',
  'business_id',
  'package_name',
  'package_description',
  'template_id',
  'price',
  'currency',
  'paid_amount',
  'purchase_date',
  'start_date',
  'expiration_date',
  'staff_id',
  'invoice_no',
] as const;

/**
 * Checks the rows of one package (those sharing a source_id, in file order) and answers the package they
 * describe, or the problems found (then nothing is to be written). `now` is the moment of the import.
 */
export function checkImportedPackage(rows: readonly ImportRow[], refs: ImportLookups, now: number): { spec?: ImportedPackageSpec; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const first = new RowReader(rows[0]!, problems);
  const sourceId = first.required('source_id', MAX_SOURCE_ID);
  if (sourceId !== undefined && !SOURCE_ID.test(sourceId)) first.problem('source_id', 'must be printable characters without spaces');

  if (rows.length > MAX_IMPORT_ITEMS) {
    first.problem('source_id', `package ${sourceId ?? ''} has ${rows.length} rows: a package has at most ${MAX_IMPORT_ITEMS} items`);
    return { problems };
  }
  // Every row repeats the package's cells: a row that says otherwise is a mistake in the file.
  for (const row of rows.slice(1)) {
    const r = new RowReader(row, problems);
    for (const column of PACKAGE_COLUMNS) {
      if ((row.cells[column] ?? '').trim() !== (first.row.cells[column] ?? '').trim()) {
        r.problem(column, `differs from line ${first.line}, the first row of package ${sourceId ?? ''}`);
      }
    }
  }

  const customerId = first.id('customer_id', true);
  if (customerId !== undefined && !refs.customerKnown(customerId)) {
    first.problem('customer_id', `customer ${customerId} does not exist: give customer_first_name and customer_last_name to create it`);
  }
  const businessId = first.id('business_id', true);
  const business = businessId === undefined ? undefined : refs.business(businessId);
  if (businessId !== undefined && !business) first.problem('business_id', `business ${businessId} does not exist`);
  const name = first.required('package_name', MAX_NAME);
  const description = first.text('package_description', MAX_DESCRIPTION) ?? '';
  const templateId = first.text('template_id', 64) ?? '';
  const staffId = first.id('staff_id', false);
  if (staffId !== undefined && !refs.staffExists(staffId)) first.problem('staff_id', `staff member ${staffId} does not exist`);
  const invoiceNo = first.text('invoice_no', 64) ?? null;

  const currencyCell = first.required('currency', 3);
  if (business && currencyCell !== undefined && currencyCell.toUpperCase() !== business.currencyCode) {
    first.problem('currency', `must be ${business.currencyCode}, the currency of business ${business.id}`);
  }
  if (!business) return { problems: [...problems, ...itemProblems(rows, refs, null)] };
  const currency = business.currencyCode;
  const amount = (column: string) => (value: string) => {
    const m = parseDecimalAmount(value, currency, column);
    if (m.minor < 0) throw new DomainError('INVALID_ARGUMENT', 'negative', { fieldViolations: [{ field: column, description: 'must not be negative' }] });
    return m;
  };
  const price = first.parse('price', amount('price'), true);
  const paidCell = first.parse('paid_amount', amount('paid_amount'), false);
  if (price && paidCell && compare(paidCell, price) > 0) first.problem('paid_amount', 'must not be more than the price');

  const tz = business.timeZone;
  const purchaseTime = first.parse('purchase_date', instantIn(tz, 'purchase_date'), true);
  if (purchaseTime !== undefined && purchaseTime > now + CLOCK_SKEW_MS) first.problem('purchase_date', 'must not lie in the future');
  const startCell = first.parse('start_date', instantIn(tz, 'start_date'), false);
  if (startCell !== undefined && purchaseTime !== undefined && startCell < purchaseTime) first.problem('start_date', 'must not be before purchase_date');
  const startTime = startCell ?? purchaseTime;
  const expirationCell = first.text('expiration_date', 10);
  let expirationDate: LocalDate | null = null;
  if (expirationCell !== undefined && expirationCell.toLowerCase() !== 'never') {
    if (!isLocalDate(expirationCell) || expirationCell >= NEVER_EXPIRES) first.problem('expiration_date', 'must be a calendar date yyyy-MM-dd, never or empty');
    else if (startTime !== undefined && expirationCell < localDateOf(startTime, tz)) first.problem('expiration_date', 'must not be before the start date');
    else expirationDate = expirationCell;
  }

  const items = readItems(rows, refs, currency, problems);
  if (problems.length > 0 || !price || purchaseTime === undefined || startTime === undefined || !items || !sourceId || !customerId || !name) {
    return { problems };
  }
  const values = itemValues(items, price, first, problems);
  if (!values) return { problems };
  const paid = paidCell ?? price;
  return {
    problems,
    spec: {
      sourceId,
      customerId,
      businessId: business.id,
      timeZone: tz,
      name,
      description,
      templateId,
      staffId: staffId ?? null,
      invoiceNo,
      price,
      paid,
      purchaseTime,
      startTime,
      expirationDate,
      // A package partly paid carries value only for what was paid, spread over its items as the price is.
      items: items.map((i, n) => ({
        kind: i.kind,
        refIds: i.refIds,
        total: i.total,
        used: i.used,
        value: compare(paid, price) === 0 ? values[n]! : reallocate(paid, values)[n]!,
      })),
    },
  };
}

/** The item cells of every row (without a known business: only what needs no currency). */
function itemProblems(rows: readonly ImportRow[], refs: ImportLookups, currency: string | null): ImportProblem[] {
  const problems: ImportProblem[] = [];
  readItems(rows, refs, currency, problems);
  return problems;
}

function readItems(rows: readonly ImportRow[], refs: ImportLookups, currency: string | null, problems: ImportProblem[]): RowItem[] | undefined {
  const items: RowItem[] = [];
  let bad = false;
  for (const row of rows) {
    const before = problems.length;
    const r = new RowReader(row, problems);
    const serviceCell = r.text('service_id', 64 * 20 + 19);
    const productCell = r.text('product_id', 64);
    let kind: ItemKind = 'SERVICE';
    let refIds: string[] = [];
    let listUnitPrice: Money | undefined;
    if ((serviceCell === undefined) === (productCell === undefined)) {
      if (!r.has('service_id') && !r.has('product_id')) r.problem('service_id', 'give service_id or product_id');
      else if (serviceCell !== undefined && productCell !== undefined) r.problem('product_id', 'give service_id or product_id, not both');
    } else if (serviceCell !== undefined) {
      // An item redeemable for any one of several services lists them, space-separated, as the export writes it.
      refIds = [...new Set(serviceCell.split(/\s+/))];
      for (const id of refIds) {
        const service = isValidId(id) ? refs.service(id) : undefined;
        if (!isValidId(id)) r.problem('service_id', `"${id}" is not a valid id`);
        else if (!service) r.problem('service_id', `service ${id} does not exist`);
        else listUnitPrice ??= service.price;
      }
    } else {
      kind = 'PRODUCT';
      refIds = [productCell!];
      const product = isValidId(productCell!) ? refs.product(productCell!) : undefined;
      if (!isValidId(productCell!)) r.problem('product_id', `"${productCell}" is not a valid id`);
      else if (!product) r.problem('product_id', `product ${productCell} does not exist`);
      else listUnitPrice = product.price;
    }
    const total = r.count('total', 1, Math.min(MAX_UNITS, MAX_QUANTITY * 100));
    const used = r.count('used', 0, MAX_UNITS);
    if (total !== undefined && used !== undefined && used > total) r.problem('used', `must not be more than total (${total})`);
    const amount = (column: string) => (value: string) => {
      const m = parseDecimalAmount(value, currency!, column);
      if (m.minor < 0) throw new DomainError('INVALID_ARGUMENT', 'negative', { fieldViolations: [{ field: column, description: 'must not be negative' }] });
      return m;
    };
    const unitPrice = currency === null ? undefined : r.parse('unit_price', amount('unit_price'), false);
    const itemValue = currency === null ? undefined : r.parse('item_value', amount('item_value'), false);
    if (problems.length > before || total === undefined || used === undefined || !listUnitPrice) {
      bad = true;
      continue;
    }
    items.push({
      line: row.line,
      kind,
      refIds,
      total,
      used,
      unitPrice: r.has('unit_price') ? unitPrice : null,
      itemValue: r.has('item_value') ? itemValue : null,
      listUnitPrice,
    });
  }
  return bad ? undefined : items;
}

/**
 * The items' exact values. Given for every item, `item_value`s must add up to the price; otherwise an item's
 * `item_value`, or its `unit_price` × total, is taken as given and the rest of the price is allocated over the
 * other items in proportion to their list prices × totals, as a template's price is.
 */
function itemValues(items: readonly RowItem[], price: Money, first: RowReader, problems: ImportProblem[]): Money[] | undefined {
  if (items.every((i) => i.itemValue)) {
    const total = sum(price.currency, items.map((i) => i.itemValue!));
    if (compare(total, price) !== 0) {
      first.problem('item_value', `the items' values add up to ${toDecimalString(total)}, not the price ${toDecimalString(price)}`);
      return undefined;
    }
    return items.map((i) => i.itemValue!);
  }
  try {
    return allocateTemplatePrice(
      price,
      items.map((i, n) => ({
        kind: i.kind,
        refIds: i.refIds,
        quantity: i.total,
        givenUnitPrice: i.itemValue ? null : (i.unitPrice ?? null),
        listUnitPrice: i.listUnitPrice,
        field: `items[${n}]`,
      })),
    ).map((v, n) => items[n]!.itemValue ?? v);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const column = items.some((i) => i.unitPrice) ? 'unit_price' : 'price';
    problems.push({ line: first.line, column, description: (error.fieldViolations[0]?.description ?? error.message).replace('quantities', 'totals') });
    return undefined;
  }
}

/** The details an IMPORTED event keeps: the original package as given, with the ids its items got here. */
export function importedDetails(spec: ImportedPackageSpec, itemIds: readonly string[]): ImportedDetails {
  return {
    sourceId: spec.sourceId,
    customerId: spec.customerId,
    businessId: spec.businessId,
    name: spec.name,
    description: spec.description,
    templateId: spec.templateId,
    staffId: spec.staffId,
    invoiceNo: spec.invoiceNo,
    currency: spec.price.currency,
    price: toDecimalString(spec.price),
    paidAmount: toDecimalString(spec.paid),
    purchaseTime: formatInstant(spec.purchaseTime),
    startTime: formatInstant(spec.startTime),
    expirationDate: spec.expirationDate ?? 'never',
    items: spec.items.map((i, n) => ({
      packageServiceId: itemIds[n] ?? '',
      kind: i.kind,
      refIds: i.refIds,
      total: i.total,
      used: i.used,
      value: toDecimalString(i.value),
    })),
  };
}

/** What makes two imports of a package the same: every value given, whatever ids its items got. */
function fingerprint(d: ImportedDetails): string {
  const items = d.items.map((i) => JSON.stringify([i.kind, i.refIds, i.total, i.used, i.value])).sort();
  const { items: _, ...rest } = d;
  return JSON.stringify([Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)), items]);
}

/** Whether an import of a package gives the same values as its first import (what its IMPORTED event holds). */
export function sameImport(first: ImportedDetails, again: ImportedPackageSpec): boolean {
  return fingerprint(first) === fingerprint(importedDetails(again, []));
}

export interface ImportCommand {
  readonly spec: ImportedPackageSpec;
  readonly companyId: string;
  readonly packageId: string;
  /** One id per item, in the spec's order. */
  readonly itemIds: readonly string[];
  /** Catalog names of the items' services and products, keyed "SERVICE:id" / "PRODUCT:id". */
  readonly names: ReadonlyMap<string, string>;
}

/**
 * The package an import creates, from then on like any sold here: its used units count as used, its
 * expiration is the given date's end, and its outstanding value at the moment of the import (paid less the
 * value of the used units; 0 for one already expired) enters the ledger.
 */
export function importPackage(cmd: ImportCommand, now: number): Decision {
  const { spec } = cmd;
  const currency = spec.paid.currency;
  const items: PackageItem[] = spec.items.map((i, n) => ({
    id: cmd.itemIds[n]!,
    position: n,
    kind: i.kind,
    choices: i.refIds.map((id) => ({ id, name: cmd.names.get(`${i.kind}:${id}`) ?? id })),
    quantity: i.total,
    total: i.total,
    used: i.used,
    held: 0,
    remaining: i.total - i.used,
    free: 0,
    value: i.value,
    unitPrice: splitIntoUnits(i.value, i.total).unit,
  }));
  const endTime = spec.expirationDate === null ? null : endOfLocalDate(spec.expirationDate, spec.timeZone);
  const startDate = localDateOf(spec.startTime, spec.timeZone);
  const opened: CustomerPackage = {
    companyId: cmd.companyId,
    id: cmd.packageId,
    sourceId: spec.sourceId,
    customerId: spec.customerId,
    businessId: spec.businessId,
    staffId: spec.staffId,
    templateId: spec.templateId,
    name: spec.name,
    description: spec.description,
    type: 'REGULAR',
    listPrice: spec.price,
    paid: spec.paid,
    timeZone: spec.timeZone,
    purchaseTime: spec.purchaseTime,
    startTime: spec.startTime,
    endTime,
    // The old system's validity, as far as the dates tell it (only a first-use start would read it, and an
    // imported package has started).
    validity: spec.expirationDate === null ? { never: true } : { days: Math.max(1, daysBetween(startDate, spec.expirationDate)) },
    gracePeriodDays: 0,
    activation: 'ON_PURCHASE',
    restrictToSellingBusiness: false,
    freeze: null,
    cancelTime: null,
    refund: null,
    expiredTime: null,
    invoice: spec.invoiceNo === null ? null : { id: '', no: spec.invoiceNo, receiptNo: '', status: '' },
    eventSeq: 0,
    createTime: now,
    updateTime: now,
    items,
  };
  // One that had already expired comes in expired, bringing nothing into the liability: what was left of it
  // expired in the old system, so its units left carry no value here (as free units do), and no breakage either.
  const pkg = hasLapsed(opened, now) ? { ...opened, expiredTime: now, items: opened.items.map((i) => ({ ...i, free: i.remaining })) } : opened;
  const nothing = { ...pkg, cancelTime: now, expiredTime: null }; // before the import there was nothing here
  return new Changes({ pkg, holds: [] })
    .event(nothing, { type: 'IMPORTED', time: now, data: importedDetails(spec, cmd.itemIds) })
    .done();
}
