// The import on the native surface (ADMIN): a CSV file (read as a stream while it arrives) or the JSON form,
// up to 50 MB, checked whole before anything is written.
import { Transform } from 'node:stream';
import { Type } from 'typebox';
import type { Deps } from '../../application/context.js';
import { importPackages } from '../../application/imports.js';
import { DomainError, invalidArgument } from '../../domain/errors.js';
import { Id } from '../http/schemas.js';
import type { HttpApp } from '../http/types.js';
import { csvImportRows, jsonImportRows } from '../shared/import-source.js';

/** An import's body may be this large (API.md); every other request's 1 MiB. */
export const IMPORT_MAX_BYTES = 50 * 1024 * 1024;
const CSV_TYPES = ['text/csv', 'application/csv'];

const ImportJsonBody = {
  description: '{"rows":[{…}]}: each row an object with the CSV columns as names (rows[i] is line i + 2)',
  properties: { rows: { type: 'array', items: { type: 'object', additionalProperties: true } } },
};
const ImportAnswer = Type.Object({
  dryRun: Type.Boolean(),
  packages: Type.Integer({ description: 'packages in the file (cancelled rows of an export skipped)' }),
  items: Type.Integer(),
  created: Type.Integer(),
  unchanged: Type.Integer({ description: 'imported before with the same values, left as they are' }),
  customersCreated: Type.Integer({ description: 'customers created on the way' }),
});

const tooLarge = () =>
  new DomainError('INVALID_ARGUMENT', `an import's body is at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB`, { reason: 'PAYLOAD_TOO_LARGE' });

/** Passes the body on while counting it, and stops it past the limit (a stream has no body limit of its own). */
function limited(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > max ? tooLarge() : null, chunk);
    },
  });
}

function dryRunOf(text: string | undefined): boolean {
  if (text === undefined || text === '' || text === 'false') return false;
  if (text === 'true') return true;
  throw invalidArgument('dryRun', 'must be true or false');
}

export function registerImportRoutes(app: HttpApp, deps: Deps): void {
  void app.register(async (plugin) => {
    const scope = plugin as unknown as HttpApp;
    // The CSV body reaches the handler as the request's own stream, read row by row as it arrives.
    scope.addContentTypeParser(CSV_TYPES, (_req, payload, done) => done(null, payload));
    scope.post(
      '/v1/companies/:companyId/packages::import',
      {
        bodyLimit: IMPORT_MAX_BYTES,
        schema: {
          tags: ['Import and export'],
          summary: 'Import packages with their history from another system: CSV (text/csv) or {"rows":[…]}, up to 50 MB (ADMIN)',
          params: Type.Object({ companyId: Id('the company') }),
          querystring: Type.Object({ dryRun: Type.Optional(Type.String({ maxLength: 5, description: 'true: check everything, write nothing' })) }),
          // Documents the two forms; each row is checked by the import itself (a BadRequest naming "line N: column").
          body: {
            content: {
              'text/csv': { schema: { description: 'RFC 4180 CSV, UTF-8, a header row, then one row per package item (API.md Import and export)' } },
              'application/json': { schema: ImportJsonBody },
            },
          },
          response: { 200: ImportAnswer },
        },
      },
      async (req) => {
        const dryRun = dryRunOf(req.query.dryRun);
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        let rows;
        if (CSV_TYPES.includes(type)) {
          if (Number(req.headers['content-length'] ?? 0) > IMPORT_MAX_BYTES) throw tooLarge();
          const body = req.body as NodeJS.ReadableStream;
          const counted = limited(IMPORT_MAX_BYTES);
          body.on('error', (error) => counted.destroy(error));
          rows = csvImportRows(body.pipe(counted));
        } else {
          rows = jsonImportRows(req.body);
        }
        return importPackages(deps, req.principal, req.params.companyId, rows, { dryRun });
      },
    );
  });
}
