// What an import is given and answers, shared by its transports (HTTP, the command line) and the use case.

export type { ImportRow } from '../domain/import.js';

export interface ImportProgress {
  /** 'reading': rows read and checked so far; 'writing': packages written out of `total`. */
  readonly stage: 'reading' | 'writing';
  readonly done: number;
  readonly total: number;
}

export interface ImportOptions {
  /** Check everything, write nothing, answer the counts the import would give. */
  readonly dryRun: boolean;
  readonly onProgress?: (progress: ImportProgress) => void;
}

/** The answer: what was (or, on a dry run, would be) done. */
export interface ImportSummary {
  readonly dryRun: boolean;
  /** Packages in the file (cancelled rows of an export are skipped and not counted). */
  readonly packages: number;
  /** Items (rows) of those packages. */
  readonly items: number;
  /** Packages created by this import. */
  readonly created: number;
  /** Packages imported before with the same values, left as they are. */
  readonly unchanged: number;
  /** Customers created on the way. */
  readonly customersCreated: number;
}

/** At most this many problems are listed in the refusal (API.md). */
export const MAX_IMPORT_PROBLEMS = 1000;
