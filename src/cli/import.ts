// punchcard import FILE --company ID [--dry-run] [--format csv|json]: the HTTP import from a file, a CSV file read
// as a stream. One transaction: with any bad row nothing is written and every bad line is listed.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { importPackages } from '../application/imports.js';
import type { ImportProgress, ImportRow, ImportSummary } from '../application/import-types.js';
import { DomainError } from '../domain/errors.js';
import { csvImportRows, jsonImportRows } from '../transport/shared/import-source.js';
import { CliError, MASTER, counted, progress, usageError, withDeps } from './common.js';

const FORMATS = ['csv', 'json'] as const;
type ImportFormat = (typeof FORMATS)[number];

export interface ImportCommandOptions {
  readonly company: string;
  readonly dryRun?: boolean;
  readonly format?: string;
}

const STAGES: Record<ImportProgress['stage'], string> = { reading: 'checking rows', writing: 'writing packages' };

/** The file's rows: CSV as a stream, JSON ({"rows":[…]}) read whole, as the HTTP import takes it. */
async function rowsOf(file: string, format: ImportFormat): Promise<AsyncIterable<ImportRow> | Iterable<ImportRow>> {
  if (format === 'csv') return csvImportRows(fs.createReadStream(file));
  let body: unknown;
  try {
    body = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return jsonImportRows(body);
}

/** The summary, one line, and whether anything was written. */
export function describeImport(s: ImportSummary): string {
  const line = `packages: ${s.packages}, items: ${s.items}, created: ${s.created}, unchanged: ${s.unchanged}, customers created: ${s.customersCreated}`;
  return s.dryRun ? `${line}\ndry run: nothing written` : line;
}

export async function importFile(file: string, options: ImportCommandOptions): Promise<ImportSummary> {
  const format = (options.format ?? (path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv')) as ImportFormat;
  if (!FORMATS.includes(format)) throw usageError(`--format must be one of ${FORMATS.join(', ')}`);
  try {
    if (!(await fs.promises.stat(file)).isFile()) throw usageError(`${file} is not a file`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return withDeps(async (deps) => {
    const bar = progress(STAGES.reading);
    let summary: ImportSummary;
    try {
      summary = await importPackages(deps, MASTER, options.company, await rowsOf(file, format), {
        dryRun: options.dryRun === true,
        onProgress: (p) => bar.update(p.done, p.total, STAGES[p.stage]),
      });
    } catch (error) {
      bar.stop();
      // A refused file: every bad line, then one line saying so.
      if (error instanceof DomainError && error.code === 'INVALID_ARGUMENT' && error.fieldViolations.length > 0) {
        for (const v of error.fieldViolations) console.error(`${v.field}: ${v.description}`);
        throw new CliError(`the import was refused (${counted(error.fieldViolations.length, 'problem')}); nothing was written`);
      }
      throw error;
    } finally {
      bar.stop();
    }
    console.log(describeImport(summary));
    return summary;
  });
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description("import packages with their history from another system's file, as POST …/packages:import does (docs/migration.md)")
    .argument('<file>', 'a CSV file with a header row, or {"rows":[…]} in a .json file')
    .requiredOption('--company <id>', 'the company to import into')
    .option('--dry-run', 'check everything, write nothing, and print the counts the import would give')
    .option('--format <format>', `${FORMATS.join(' | ')} (default: json for a .json file, else csv)`)
    .addHelpText(
      'after',
      '\nOne transaction: with any bad row nothing is written, and every bad line is listed (exit 1).\n\nExample:\n  punchcard import old-system.csv --company cmp_demo --dry-run',
    )
    .action(async (file: string, options: ImportCommandOptions) => {
      await importFile(file, options);
    });
}
