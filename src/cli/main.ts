#!/usr/bin/env node
// The command line: `npm run cli -- <command>`, the package's `punchcard` bin. Every command answers --help; a
// failure exits non-zero with one line, `punchcard: <message>` (2 for a command asked wrongly, 1 otherwise).
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { DomainError } from '../domain/errors.js';
import { registerBackup } from './backup.js';
import { CliError } from './common.js';
import { registerDemo } from './demo.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { registerKeys } from './keys.js';
import { registerMigrate } from './migrate.js';
import { registerServe } from './serve.js';
import { registerVerify } from './verify.js';

export function buildProgram(): Command {
  const program = new Command('punchcard')
    .description('Punchcard: package management for service businesses. Configured by the environment (README "Configuration").')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander's own complaints ("error: unknown command 'x'") become our one line.
      outputError: (text, write) => write(`punchcard: ${text.replace(/^error: /, '').trim()}\n`),
    });
  registerServe(program);
  registerMigrate(program);
  registerKeys(program);
  registerImport(program);
  registerExport(program);
  registerVerify(program);
  registerDemo(program);
  registerBackup(program);
  return program;
}

/** The one line a failure prints, and the exit code. */
function failure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: 1 };
  if (error instanceof DomainError) return { message: error.message, exitCode: 1 };
  return { message: messageOf(error), exitCode: 1 };
}

/** An error's message; a driver's AggregateError (every address of a host refused) has none of its own. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  const first = (error as Partial<AggregateError>).errors?.[0] as unknown;
  if (first !== undefined) return messageOf(first);
  return (error as NodeJS.ErrnoException).code ?? error.name;
}

export async function run(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version have printed and exit 0; a usage error has printed its line.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const { message, exitCode } = failure(error);
    console.error(`punchcard: ${message.split('\n')[0]}`);
    process.exitCode = exitCode;
  }
}

await run();
