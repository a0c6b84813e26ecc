// punchcard export packages|events --company ID [--out FILE] …: the exports of the HTTP API (same columns, same
// lines), streamed a page at a time to a file or stdout, with a count at the end on stderr.
import fs from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { PACKAGE_COLUMNS, exportEvents, exportPackages, type PackageExportRow } from '../application/exports.js';
import type { Lifecycle } from '../domain/package.js';
import { EVENT_COLUMNS, EVENT_FORMATS, csvOf, eventCsvRow, eventNdjsonLine, rowsOf, type EventFormat } from '../transport/shared/export-format.js';
import { CliError, MASTER, counted, progress, usageError, withDeps } from './common.js';

/** Where the export goes: a file, written beside it under a temporary name and renamed when complete, or stdout. */
interface Output {
  readonly stream: Writable;
  readonly name: string;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

function openOutput(out: string | undefined): Output {
  if (out === undefined) return { stream: process.stdout, name: 'stdout', commit: async () => {}, abort: async () => {} };
  const target = path.resolve(out);
  if (!fs.existsSync(path.dirname(target))) throw usageError(`--out ${out}: the folder ${path.dirname(target)} does not exist`);
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  return {
    stream: fs.createWriteStream(partial),
    name: out,
    commit: () => fs.promises.rename(partial, target),
    abort: () => fs.promises.rm(partial, { force: true }),
  };
}

/**
 * Runs the pipeline into the output and answers where it went; a failure halfway leaves no file behind (stdout is
 * cut short). A reader that stops early (`| head`) ends the export quietly, with null.
 */
async function writeTo(out: string | undefined, source: Readable, ...stages: NodeJS.ReadWriteStream[]): Promise<string | null> {
  const output = openOutput(out);
  let writeFailure: unknown;
  output.stream.once('error', (error) => (writeFailure = error));
  try {
    await pipeline([source, ...stages, output.stream]);
    await output.commit();
  } catch (error) {
    await output.abort();
    if (error !== writeFailure) throw error;
    if (out === undefined && (error as NodeJS.ErrnoException).code === 'EPIPE') return null;
    throw new CliError(`cannot write ${output.name}: ${(error as Error).message}`);
  }
  return output.name;
}

export interface PackageExportOptions {
  readonly company: string;
  readonly out?: string;
  readonly business?: string;
  readonly lifecycle?: string;
  readonly format: string;
}

export async function exportPackagesTo(options: PackageExportOptions): Promise<void> {
  if (options.format !== 'csv') throw usageError('--format: packages export as csv only');
  await withDeps(async (deps) => {
    const query = { businessId: options.business, lifecycle: options.lifecycle };
    // Refuses a bad request before the first row, so nothing is written.
    const batches = await exportPackages(deps, MASTER, options.company, query);
    const bar = progress('exporting packages');
    const total = process.stderr.isTTY
      ? await deps.store.read.packages.count(options.company, {
          asOf: deps.clock.now(),
          ...(query.businessId === undefined ? {} : { businessId: query.businessId }),
          ...(query.lifecycle === undefined ? {} : { lifecycles: [query.lifecycle as Lifecycle] }),
        })
      : 0;
    let rows = 0;
    let packages = 0;
    let last = '';
    const source = async function* (): AsyncGenerator<PackageExportRow> {
      for await (const row of rowsOf(batches)) {
        rows++;
        // One row per item, a package's items together.
        if (row.package_id !== last) {
          packages++;
          last = String(row.package_id);
        }
        bar.update(packages, total);
        yield row;
      }
    };
    let name: string | null;
    try {
      name = await writeTo(options.out, Readable.from(source()), csvOf(PACKAGE_COLUMNS));
    } finally {
      bar.stop();
    }
    if (name !== null) console.error(`exported ${counted(packages, 'package')} (${counted(rows, 'row')}) to ${name}`);
  });
}

export interface EventExportOptions {
  readonly company: string;
  readonly out?: string;
  readonly from?: string;
  readonly to?: string;
  readonly format: string;
}

export async function exportEventsTo(options: EventExportOptions): Promise<void> {
  const format = options.format as EventFormat;
  if (!EVENT_FORMATS.includes(format)) throw usageError(`--format must be one of ${EVENT_FORMATS.join(', ')}`);
  await withDeps(async (deps) => {
    const batches = await exportEvents(deps, MASTER, options.company, { from: options.from, to: options.to });
    const bar = progress('exporting events');
    let events = 0;
    const counting = async function* () {
      for await (const e of rowsOf(batches)) {
        bar.update(++events, 0);
        yield e;
      }
    };
    const lines = async function* () {
      for await (const e of counting()) yield eventNdjsonLine(e);
    };
    const rows = async function* () {
      for await (const e of counting()) yield eventCsvRow(e);
    };
    let name: string | null;
    try {
      name = format === 'ndjson' ? await writeTo(options.out, Readable.from(lines())) : await writeTo(options.out, Readable.from(rows()), csvOf(EVENT_COLUMNS));
    } finally {
      bar.stop();
    }
    if (name !== null) console.error(`exported ${counted(events, 'event')} to ${name}`);
  });
}

export function registerExport(program: Command): void {
  const exp = program
    .command('export')
    .description("stream a company's packages or history to a file or stdout, as GET …/packages:export and …/events:export do");

  exp
    .command('packages')
    .description("every package item as CSV in the import's columns, plus package_id, lifecycle, remaining, held, remaining_value")
    .requiredOption('--company <id>', 'the company')
    .option('--out <file>', 'write here (default: stdout); the file appears only once complete')
    .option('--business <id>', 'only the packages sold by this business')
    .option('--lifecycle <lifecycle>', 'only the packages in this lifecycle now (ACTIVE, FROZEN, EXPIRED, …)')
    .option('--format <format>', 'csv', 'csv')
    .addHelpText('after', '\nExample:\n  punchcard export packages --company cmp_demo --out packages.csv')
    .action((options: PackageExportOptions) => exportPackagesTo(options));

  exp
    .command('events')
    .description('the history of every package, oldest first')
    .requiredOption('--company <id>', 'the company')
    .option('--out <file>', 'write here (default: stdout); the file appears only once complete')
    .option('--from <when>', 'from this instant (RFC 3339) or day (yyyy-MM-dd, UTC); default: the first event')
    .option('--to <when>', 'until this instant or day, exclusive; default: now')
    .option('--format <format>', EVENT_FORMATS.join(' | '), 'csv')
    .addHelpText('after', '\nExample:\n  punchcard export events --company cmp_demo --from 2026-01-01 --format ndjson --out events.ndjson')
    .action((options: EventExportOptions) => exportEventsTo(options));
}
