// npm run bench [-- filter…]: builds to dist/ (the npm script does), then runs every bench/*.bench.mjs whose
// name contains one of the filters, one after another, each in a process of its own, and prints a summary of
// the figures each wrote to bench/results/<name>.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const benches = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (benches.length === 0) {
  console.error(`bench: nothing matches ${filters.join(', ') || '(no filter)'}`);
  process.exit(2);
}

let current;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    current?.kill(signal);
    process.exit(130);
  });
}

const summary = [];
for (const file of benches) {
  const name = file.replace(/\.bench\.mjs$/, '');
  const resultFile = path.join(here, 'results', `${name}.json`);
  const before = fs.existsSync(resultFile) ? fs.statSync(resultFile).mtimeMs : 0;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const code = await new Promise((resolve) => {
    current = spawn(process.execPath, [path.join(here, file)], { stdio: 'inherit', env: process.env });
    current.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  current = undefined;
  const fresh = fs.existsSync(resultFile) && fs.statSync(resultFile).mtimeMs > before;
  const result = fresh ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : undefined;
  summary.push({ name, code, seconds: Math.round((Date.now() - started) / 1000), line: result?.summary ?? '(no results written)', pass: result?.pass });
}

console.log('\n=== summary ===');
for (const s of summary) {
  const verdict = s.code !== 0 ? `FAILED (exit ${s.code})` : s.pass === false ? 'BELOW TARGET' : 'ok';
  console.log(`${s.name.padEnd(24)} ${verdict.padEnd(16)} ${s.line}  [${s.seconds}s]`);
}
process.exit(summary.some((s) => s.code !== 0) ? 1 : 0);
