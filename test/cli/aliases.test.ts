// The npm scripts that came before the CLI (npm run keys, verify, demo, migrate) lead to its commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/engines.js';
import { runCli } from './cli.js';

describe('the npm aliases', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(() => db.drop());

  it('npm run verify builds and runs punchcard verify', async () => {
    const verify = await runCli(db, ['verify'], { command: ['npm', 'run', '--silent'] });
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout.trim()).toBe('verified 0 packages and 0 events: 0 drifts');
  }, 120_000);
});
