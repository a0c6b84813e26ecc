// A process's memory as the kernel counts it: VmRSS (resident now) and VmHWM (the most it was ever resident),
// from /proc/<pid>/status. Linux only; elsewhere null, so a bench still runs and records that it could not look.
import fs from 'node:fs';

const mb = (kb) => Number((kb / 1024).toFixed(1));

/** { vmRssMB, vmHwmMB } of process `pid`, or null where there is no /proc (or the process is gone). */
export function processMemory(pid) {
  let status;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { vmRssMB: mb(kb('VmRSS')), vmHwmMB: mb(kb('VmHWM')) };
}
