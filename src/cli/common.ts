// What every command shares: its failures, the storage it opens, and progress on a terminal.
import cliProgress from 'cli-progress';
import { loadConfig, type Config } from '../config.js';
import { openStore } from '../bootstrap.js';
import { systemClock } from '../domain/clock.js';
import type { Principal } from '../domain/access.js';
import type { Deps } from '../application/context.js';
import { Outbox } from '../application/webhook-outbox.js';
import { webhookRenderer } from '../transport/webhooks/render.js';

/** A failure the command line reports as one line, `punchcard: <message>`, exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command asked wrongly (an unknown company, a bad option value): exit code 2, as for any usage error. */
export const usageError = (message: string): CliError => new CliError(message, 2);

/** The command line acts with the platform's own authority: it holds the database itself. */
export const MASTER: Principal = { kind: 'master' };

/**
 * Opens storage from the environment (migrating it, as the server does), runs fn, and closes storage whatever
 * happens. Changes write their webhook messages as the server's would; the server's processes deliver them.
 */
export async function withDeps<T>(fn: (deps: Deps, config: Config) => Promise<T>, config: Config = loadConfig()): Promise<T> {
  const { store } = await openStore(config);
  try {
    return await fn({ store, clock: systemClock, masterKey: null, outbox: new Outbox(webhookRenderer) }, config);
  } finally {
    await store.close();
  }
}

export interface Progress {
  /** Shows `done` of `total` under `label`; a total of 0 means not known (a count alone is shown). */
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

const silent: Progress = { update: () => {}, stop: () => {} };
const WITH_TOTAL = '{label} [{bar}] {value}/{total} {percentage}% | {duration_formatted}';
const COUNT_ONLY = '{label} {value} | {duration_formatted}';

/**
 * A progress bar on stderr when stderr is a terminal, and nothing otherwise: logs and pipes get the summary line
 * alone. A new label starts the bar anew (a new stage of the work).
 */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: (options, params, payload: { known: boolean }) => cliProgress.Format.Formatter({ ...options, format: payload.known ? WITH_TOTAL : COUNT_ONLY }, params, payload),
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let current: string | null = null;
  return {
    update(done, total, next = label) {
      const payload = { label: next, known: total > 0 };
      if (current !== next) {
        if (current !== null) bar.stop();
        bar.start(Math.max(total, done), done, payload);
        current = next;
        return;
      }
      if (Math.max(total, done) !== bar.getTotal()) bar.setTotal(Math.max(total, done));
      bar.update(done, payload);
    },
    stop() {
      if (current !== null) bar.stop();
      current = null;
    },
  };
}

/** A count with its noun, singular or plural: `1 package`, `3 packages`. */
export const counted = (n: number, singular: string, plural = `${singular}s`): string => `${n} ${n === 1 ? singular : plural}`;
