// Every command explains itself with --help (exit 0, its options listed), and a command line that makes no
// sense fails with one line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linesOf, runCli } from './cli.js';

// --help never opens a database; this one stays empty.
const db = { databaseUrl: null, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-cli-help-')) };
afterAll(() => fs.rmSync(db.dataDir, { recursive: true, force: true }));

const COMMANDS: [string[], string[]][] = [
  [[], ['serve', 'migrate', 'keys', 'import', 'export', 'verify', 'demo', 'backup', 'restore']],
  [['serve'], ['PORT', 'DATABASE_URL', 'PUNCHCARD_DATA_DIR']],
  [['migrate'], []],
  [['keys'], ['create', 'list', 'revoke']],
  [['keys', 'create'], ['--company <id>', '--role <role>', '--name <name>', '--business <id>']],
  [['keys', 'list'], ['--company <id>']],
  [['keys', 'revoke'], ['--company <id>', '--id <keyId>']],
  [['import'], ['<file>', '--company <id>', '--dry-run', '--format <format>']],
  [['export'], ['packages', 'events']],
  [['export', 'packages'], ['--company <id>', '--out <file>', '--business <id>', '--lifecycle <lifecycle>', '--format <format>']],
  [['export', 'events'], ['--company <id>', '--out <file>', '--from <when>', '--to <when>', '--format <format>']],
  [['verify'], ['--company <id>']],
  [['demo'], ['--company <id>']],
  [['backup'], ['--out <file>', 'pg_dump']],
  [['restore'], ['<file>', '--force', 'must not be running']],
];

describe('punchcard --help', () => {
  it.each(COMMANDS)('answers 0 for %j and lists its options', async (command, mentions) => {
    const r = await runCli(db, [...command, '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: punchcard ${command.join(' ')}`.replace(/ $/, '')));
    expect(r.stdout).toContain('--help');
    for (const m of mentions) expect(r.stdout).toContain(m);
    expect(r.stderr).toBe('');
  });

  it('fails an unknown command with exit code 2 and one line', async () => {
    const r = await runCli(db, ['frobnicate']);
    expect(r.code).toBe(2);
    expect(linesOf(r.stderr)).toEqual(["punchcard: unknown command 'frobnicate'"]);
    expect(r.stdout).toBe('');
  });

  it('fails an unknown option, a missing argument and a missing required option with one line each', async () => {
    const cases: [string[], RegExp][] = [
      [['verify', '--colour'], /^punchcard: unknown option '--colour'/],
      [['import', '--company', 'cmp_demo'], /^punchcard: missing required argument 'file'$/],
      [['export', 'packages'], /^punchcard: required option '--company <id>' not specified$/],
      [['export', 'events', '--company', 'cmp_x', '--format', 'xml'], /^punchcard: --format must be one of csv, ndjson$/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(db, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(linesOf(r.stderr), args.join(' ')).toHaveLength(1);
      expect(linesOf(r.stderr)[0], args.join(' ')).toMatch(message);
    }
  });
});
