// Which build a bench ran: the newest modification time among dist/src's files. A bench that restarts the
// server between sizes compares figures of one build only if this stays the same; someone rebuilding dist/
// mid-run (npx tsc, npm run build) would otherwise give each size another server.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url)))), 'dist/src');

/** The newest mtime under dist/src as an ISO time, or null without a build. */
export function buildStamp() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  try {
    walk(dist);
  } catch {
    return null;
  }
  return newest ? new Date(newest).toISOString() : null;
}
