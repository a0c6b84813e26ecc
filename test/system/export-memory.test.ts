// A company of 1,000,000 packages exports in constant memory (issue 10): the export bench's run, seeded in the
// database and streamed from a real server process whose V8 heap is capped at 256 MB, on each engine. An export
// that gathered its rows (over 200 MB of CSV alone) would run out of heap; one that streams grows only by what
// its bounded caches hold (75–109 MB measured on this machine), so the test allows +150 MB of RSS over the
// server's memory before it began. PUNCHCARD_TEST_EXPORT_PACKAGES sets the size (default 1,000,000).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = Number(process.env.PUNCHCARD_TEST_EXPORT_PACKAGES ?? 1_000_000);
/** The bounded caches (packages, reference data) fill as the export reads; more than this would be rows kept. */
const MAX_GROWTH_MB = 150;

describe.each(ENGINES)('a %s export of a million packages', (engine) => {
  it(
    `streams ${PACKAGES.toLocaleString('en')} packages with the server's memory flat`,
    async () => {
      const results = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-export-memory-'));
      try {
        const env = {
          PATH: process.env.PATH,
          BENCH_EXPORT_PACKAGES: String(PACKAGES),
          BENCH_RESULTS_DIR: results,
          ...(engine === 'postgres' ? { BENCH_DATABASE_URL: process.env.TEST_DATABASE_URL } : {}),
        };
        await run(process.execPath, [path.join(root, 'bench/export.bench.mjs')], { env, cwd: root, timeout: 600_000, maxBuffer: 1 << 20 });
        const figures = JSON.parse(fs.readFileSync(path.join(results, `export.${engine}.json`), 'utf8'));
        expect(figures.packages).toBe(PACKAGES);
        expect(figures.growthMb, figures.summary).toBeLessThanOrEqual(MAX_GROWTH_MB);
      } finally {
        fs.rmSync(results, { recursive: true, force: true });
      }
    },
    660_000,
  );
});
