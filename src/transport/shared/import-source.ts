// An import file as rows: CSV read as a stream (csv-parse), or the JSON form {"rows":[{…}]}. Lines are counted
// as in the file, the header being line 1, so that a refusal points where a person would look.
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { ImportRow } from '../../application/import-types.js';
import { DomainError, invalidArgument } from '../../domain/errors.js';
import { IMPORT_COLUMNS } from '../../domain/import.js';

/** The longest record (a row) the parser accepts: far beyond any honest row, so a broken quote cannot swallow the file. */
const MAX_RECORD_BYTES = 64 * 1024;
const MAX_COLUMNS = 200;

const refusal = (line: number, description: string) =>
  new DomainError('INVALID_ARGUMENT', `line ${line}: ${description}`, { fieldViolations: [{ field: `line ${line}`, description }] });

/** The rows of a CSV file with a header row, as they are read. A file CSV cannot read is refused at its line. */
export async function* csvImportRows(input: Readable | NodeJS.ReadableStream): AsyncGenerator<ImportRow> {
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      if (header.length > MAX_COLUMNS) throw refusal(1, `at most ${MAX_COLUMNS} columns`);
      // Columns the import does not read are dropped as the file is parsed (csv-parse skips a false column).
      return header.map((h) => {
        const name = h.trim().toLowerCase();
        return IMPORT_COLUMNS.has(name) ? name : false;
      });
    },
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  (input as Readable).on('error', (error) => parser.destroy(error));
  (input as Readable).pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { line: info.lines, cells: record };
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? parser.info.lines;
      throw refusal(line, `the file is not readable CSV here: ${error.message.replace(/^[A-Za-z_]+: /, '')}`);
    }
    throw error;
  }
}

/** The rows of the JSON form, `{"rows":[{…}]}`: `rows[i]` is line i + 2, as if the file had a header. */
export function jsonImportRows(body: unknown): ImportRow[] {
  const rows = (body as { rows?: unknown } | null)?.rows;
  if (typeof body !== 'object' || body === null || !Array.isArray(rows)) throw invalidArgument('rows', 'must be a list of rows');
  return rows.map((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw invalidArgument(`rows[${i}]`, 'must be an object of column names and values');
    const cells: Record<string, string> = {};
    for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
      if (value === null || value === undefined || !IMPORT_COLUMNS.has(column)) continue;
      if (typeof value === 'string') cells[column] = value;
      else if (typeof value === 'number' && Number.isFinite(value)) cells[column] = String(value);
      else throw invalidArgument(`rows[${i}].${column}`, 'must be a string or a number');
    }
    return { line: i + 2, cells };
  });
}
