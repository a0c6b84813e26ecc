// Progress on a terminal only: a bar with counts on a TTY, nothing at all on a pipe or a log file.
import { describe, expect, it } from 'vitest';
import { progress } from '../../src/cli/common.js';

function fakeStream(isTTY: boolean) {
  let written = '';
  const stream = { isTTY, columns: 100, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, written: () => written };
}

describe('progress', () => {
  it('draws a bar with done/total on a terminal, and starts anew at a new stage', () => {
    const out = fakeStream(true);
    const bar = progress('checking rows', out.stream);
    bar.update(3, 10);
    bar.update(7, 10);
    bar.update(2, 5, 'writing packages');
    bar.stop();
    const plain = out.written().replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '');
    expect(plain).toContain('checking rows');
    expect(plain).toContain('3/10 30%');
    expect(plain).toContain('writing packages');
    expect(plain).toContain('2/5 40%');
  });

  it('shows a count alone while the total is not known', () => {
    const out = fakeStream(true);
    const bar = progress('exporting events', out.stream);
    bar.update(1200, 0);
    bar.stop();
    expect(out.written()).toMatch(/exporting events 1200 \|/);
    expect(out.written()).not.toContain('%');
  });

  it('writes nothing when the stream is not a terminal', () => {
    const out = fakeStream(false);
    const bar = progress('verifying', out.stream);
    bar.update(5, 10);
    bar.stop();
    expect(out.written()).toBe('');
  });
});
