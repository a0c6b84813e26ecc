// punchcard serve: the server, exactly as `node dist/src/main.js` (npm start) runs it.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { CliError } from './common.js';

const ENVIRONMENT = `
Configured by the environment (README "Configuration"): PORT (8080), GRPC_PORT (8081), HOST, DATABASE_URL
(postgres://…; unset: SQLite in PUNCHCARD_DATA_DIR, ./data), PUNCHCARD_MASTER_KEY, PUNCHCARD_WORKERS (1: this
process serves; N: N worker processes share the ports), LOG_LEVEL, and more. SIGTERM or SIGINT finishes the
requests in flight, then stops.

Examples:
  PORT=9000 punchcard serve
  PUNCHCARD_WORKERS=4 DATABASE_URL=postgres://localhost/punchcard punchcard serve`;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the server: the HTTP API, gRPC, the web app and the background work')
    .addHelpText('after', ENVIRONMENT)
    .action(async () => {
      const config = loadConfig();
      // Loaded only here: the servers and their frameworks are most of a start-up, and no other command needs them.
      const { startFailure, serve } = await import('../main.js');
      try {
        await serve(config);
      } catch (error) {
        throw new CliError(startFailure(error));
      }
    });
}
