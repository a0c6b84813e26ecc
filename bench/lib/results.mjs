// Where a bench's figures go: bench/results/<name>.json (the latest run) and <name>.<engine>.json (the latest
// on that engine), or BENCH_RESULTS_DIR for a trial run that must not replace the committed figures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const defaultDir = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'results');

export function writeResults(name, engine, record) {
  const dir = process.env.BENCH_RESULTS_DIR || defaultDir;
  fs.mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(record, null, 2)}\n`;
  fs.writeFileSync(path.join(dir, `${name}.json`), text);
  if (engine) fs.writeFileSync(path.join(dir, `${name}.${engine}.json`), text);
}
