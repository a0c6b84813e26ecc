// Exports on the native surface (ADMIN): packages as CSV in the import's columns, the history as CSV or NDJSON.
// Both stream: rows are written as the use case reads them, page by page, never gathered in memory.
import { Readable, pipeline } from 'node:stream';
import { Type } from 'typebox';
import type { Deps } from '../../application/context.js';
import { PACKAGE_COLUMNS, exportEvents, exportPackages } from '../../application/exports.js';
import { invalidArgument } from '../../domain/errors.js';
import { Id } from '../http/schemas.js';
import type { HttpApp } from '../http/types.js';
import { EVENT_COLUMNS, csvOf, eventCsvRow, eventNdjsonLine, rowsOf } from '../shared/export-format.js';

const tags = ['Import and export'];
/** A streamed text answer: a string in the document, a stream in the handler. */
const Text = (description?: string) => Type.Unsafe<unknown>({ type: 'string', ...(description ? { description } : {}) });
const P = Type.Object({ companyId: Id('the company') });

/**
 * Rows into CSV. A failure halfway (the database lost) destroys both streams, so the answer is cut short and the
 * client sees a broken download rather than a silently shorter file.
 */
const asCsv = (rows: AsyncIterable<unknown>, columns: readonly string[]) => pipeline(Readable.from(rows), csvOf(columns), () => {});

export function registerExportRoutes(app: HttpApp, deps: Deps): void {
  const base = '/v1/companies/:companyId';

  app.get(
    `${base}/packages::export`,
    {
      schema: {
        tags,
        summary: "Every package item as CSV in the import's columns, streamed (ADMIN)",
        params: P,
        querystring: Type.Object({ businessId: Type.Optional(Id()), lifecycle: Type.Optional(Type.String({ maxLength: 20 })) }),
        response: { 200: { description: "CSV (RFC 4180, a header row), one row per item, in the import's columns", content: { 'text/csv': { schema: Text() } } } },
      },
    },
    async (req, reply) => {
      const batches = await exportPackages(deps, req.principal, req.params.companyId, req.query);
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="packages-${req.params.companyId}.csv"`);
      return reply.send(asCsv(rowsOf(batches), PACKAGE_COLUMNS));
    },
  );

  app.get(
    `${base}/events::export`,
    {
      schema: {
        tags,
        summary: 'The history of every package, oldest first, as CSV or NDJSON, streamed (ADMIN)',
        params: P,
        querystring: Type.Object({
          from: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339, or yyyy-MM-dd (UTC); default: the first event' })),
          to: Type.Optional(Type.String({ maxLength: 40, description: 'exclusive; RFC 3339, or yyyy-MM-dd (UTC); default: now' })),
          format: Type.Optional(Type.String({ maxLength: 10, description: 'csv (default) | ndjson' })),
        }),
        response: {
          200: {
            description: 'CSV (format=csv), or one JSON event per line with its packageId (format=ndjson)',
            content: {
              'text/csv': { schema: Text() },
              'application/x-ndjson': { schema: Text('lines of PackageEvent JSON, each with packageId') },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'csv';
      if (format !== 'csv' && format !== 'ndjson') throw invalidArgument('format', 'must be csv or ndjson');
      const batches = await exportEvents(deps, req.principal, req.params.companyId, req.query);
      const name = `events-${req.params.companyId}.${format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      if (format === 'ndjson') {
        reply.type('application/x-ndjson; charset=utf-8');
        const lines = async function* () {
          for await (const e of rowsOf(batches)) yield eventNdjsonLine(e);
        };
        return reply.send(Readable.from(lines()));
      }
      reply.type('text/csv; charset=utf-8');
      const rows = async function* () {
        for await (const e of rowsOf(batches)) yield eventCsvRow(e);
      };
      return reply.send(asCsv(rows(), EVENT_COLUMNS));
    },
  );
}
