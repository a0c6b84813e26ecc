import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, cursorOf, cursorToken, pageOf, parsePageRequest, tokenAfter } from '../../src/application/paging.js';
import { DomainError } from '../../src/domain/errors.js';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('parsePageRequest', () => {
  it('gives 50 rows from the start when nothing is asked', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(50);
    for (const size of [undefined, null, '']) {
      expect(parsePageRequest(size, undefined)).toEqual({ size: 50, after: null, offset: 0 });
    }
  });

  it('takes sizes from 1 to 500 as numbers or decimal strings', () => {
    expect(MAX_PAGE_SIZE).toBe(500);
    expect(parsePageRequest(1, undefined).size).toBe(1);
    expect(parsePageRequest('500', undefined).size).toBe(500);
    expect(parsePageRequest('17', '').size).toBe(17);
  });

  it.each([0, 501, -1, '0', '501', '-5', 2.5, '2.5', 'ten', '1e2', true, [], {}])(
    'refuses the page size %o with INVALID_ARGUMENT naming pageSize',
    (size) => {
      const e = refusal(() => parsePageRequest(size, undefined));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.fieldViolations[0]?.field).toBe('pageSize');
    },
  );

  it('names the fields a surface calls them by', () => {
    const e = refusal(() => parsePageRequest(0, undefined, { size: 'page_size', token: 'page_num' }));
    expect(e.fieldViolations[0]?.field).toBe('page_size');
    const t = refusal(() => parsePageRequest(10, '!!', { size: 'page_size', token: 'page_num' }));
    expect(t.fieldViolations[0]?.field).toBe('page_num');
  });

  it('reads the token "1" as the first page, as MoeGo clients send it', () => {
    expect(parsePageRequest(20, '1')).toEqual({ size: 20, after: null, offset: 0 });
  });

  it('reads a decimal token N as page N, skipping (N-1) pages', () => {
    expect(parsePageRequest(20, '3')).toEqual({ size: 20, after: null, offset: 40 });
    expect(parsePageRequest(undefined, '2')).toEqual({ size: 50, after: null, offset: 50 });
  });

  it('refuses page 0', () => {
    const e = refusal(() => parsePageRequest(10, '0'));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.fieldViolations[0]?.field).toBe('pageToken');
  });

  it.each(['cus_1', 'a', 'A-b_C', '123abc', 'x'.repeat(63), 'y'.repeat(64), '9'.repeat(10) + 'z', 'z'.repeat(10) + '1'])(
    'round-trips a keyset token after the id %s',
    (id) => {
      const token = tokenAfter(id);
      expect(token.length).toBeLessThanOrEqual(64);
      expect(parsePageRequest(10, token)).toEqual({ size: 10, after: id, offset: 0 });
    },
  );

  it('round-trips an all-digit id, which must not be read as a page number', () => {
    for (const id of ['42', '0', '1234567890123', '1'.repeat(64)]) {
      expect(parsePageRequest(10, tokenAfter(id))).toEqual({ size: 10, after: id, offset: 0 });
    }
  });

  it('uses a 64-character id as its own token, which still fits in 64 characters', () => {
    const id = 'k'.repeat(64);
    expect(tokenAfter(id)).toBe(id);
  });

  it.each([
    ['a bare short id', 'cus_1'],
    ['punctuation', '!!'],
    ['a space', '~cus 1'],
    ['a slash', '~a/b'],
    ['a quote', "~a'b"],
    ['a percent', '~a%'],
    ['the marker alone', '~'],
    ['65 characters', 'x'.repeat(65)],
    ['65 characters with the marker', `~${'x'.repeat(64)}`],
    ['unicode', '~ćevapi'],
    ['a number', 7],
    ['an object', { after: 'x' }],
  ])('refuses a token with %s with INVALID_ARGUMENT naming pageToken', (_what, token) => {
    const e = refusal(() => parsePageRequest(10, token));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.fieldViolations[0]?.field).toBe('pageToken');
  });
});

describe('pageOf', () => {
  const request = { size: 2, after: null, offset: 0 };
  const key = (row: { id: string }) => row.id;

  it('gives an empty next token when the store returned no more than a page', () => {
    expect(pageOf([], request, key)).toEqual({ items: [], nextPageToken: '' });
    expect(pageOf([{ id: 'a' }, { id: 'b' }], request, key)).toEqual({ items: [{ id: 'a' }, { id: 'b' }], nextPageToken: '' });
  });

  it('drops the extra row and points the next token after the last row it keeps', () => {
    const page = pageOf([{ id: 'a' }, { id: 'b' }, { id: 'c' }], request, key);
    expect(page.items).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(parsePageRequest(2, page.nextPageToken).after).toBe('b');
  });

  it('gives a next token for a 64-character last id that reads back to that id', () => {
    const long = 'Z'.repeat(64);
    const page = pageOf([{ id: 'A' }, { id: long }, { id: 'zz' }], request, key);
    expect(page.nextPageToken.length).toBeLessThanOrEqual(64);
    expect(parsePageRequest(2, page.nextPageToken).after).toBe(long);
  });
});

describe('the cursor', () => {
  const PKG = 'pkg_01JQ0000000000000000000000';
  const read = (token: string, shape: Parameters<typeof cursorOf>[1]) => cursorOf(parsePageRequest(10, token), shape);

  it('writes a sort key as "~" and its parts joined by ".", and reads it back by the list\'s shape', () => {
    expect(cursorToken([1_773_187_200_000, PKG])).toBe(`~1773187200000.${PKG}`);
    expect(read(`~1773187200000.${PKG}`, ['int', 'id'])).toEqual([1_773_187_200_000, PKG]);
  });

  it.each([
    [[PKG], ['id']],
    [[42], ['int']],
    [[0, 'a'], ['int', 'id']],
    [[-86_400_000, PKG], ['int', 'id']],
    [[null, 5, PKG], ['int?', 'int', 'id']],
    [[7, -3, PKG], ['int?', 'int', 'id']],
    [[null, 'x'], ['int?', 'id']],
  ] as const)('round-trips the key %j', (key, shape) => {
    const token = cursorToken(key);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(read(token, shape)).toEqual(key);
  });

  it('writes null as an empty part', () => {
    expect(cursorToken([null, 1, PKG])).toBe(`~.1.${PKG}`);
  });

  it('fits the longest key a package order has (two far-future instants and a server id) in 64 characters', () => {
    const far = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    const token = cursorToken([far, -far, PKG]);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(read(token, ['int?', 'int', 'id'])).toEqual([far, -far, PKG]);
  });

  it("is the same token as reference lists' \"~id\", which they still read as the id", () => {
    expect(cursorToken(['cus_1'])).toBe('~cus_1');
    expect(cursorToken('cus_1')).toBe(tokenAfter('cus_1'));
    expect(parsePageRequest(10, '~cus_1').after).toBe('cus_1');
    expect(read('~cus_1', ['id'])).toEqual(['cus_1']);
    const long = 'k'.repeat(64);
    expect(cursorToken([long])).toBe(long);
    expect(read(long, ['id'])).toEqual([long]);
  });

  it('still reads a plain number N as page N, never as a cursor', () => {
    expect(parsePageRequest(10, '3')).toEqual({ size: 10, after: null, offset: 20 });
    expect(cursorOf(parsePageRequest(10, '3'), ['int'])).toBeNull();
    expect(cursorOf(parsePageRequest(10, undefined), ['int', 'id'])).toBeNull();
  });

  it.each([
    ['too few parts', `~${PKG}`, ['int', 'id']],
    ['too many parts', `~1.2.${PKG}`, ['int', 'id']],
    ['a word for a number', `~soon.${PKG}`, ['int', 'id']],
    ['a fraction split in two', `~1.5`, ['int']],
    ['an empty number', `~.${PKG}`, ['int', 'id']],
    ['an empty id', '~5.', ['int', 'id']],
    ['a number past 2^53', '~9007199254740993', ['int']],
    ['a number of 17 digits', '~12345678901234567', ['int']],
    ['the old event token', '~s12', ['int']],
    ['the old expiring token', '~o100', ['int?', 'id']],
    ['a dotted one-part token', '~a.b', ['id']],
  ] as const)('refuses a cursor with %s, naming pageToken', (_what, token, shape) => {
    const e = refusal(() => read(token, shape));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.fieldViolations[0]?.field).toBe('pageToken');
  });

  it('names the field a surface calls the token', () => {
    const e = refusal(() => cursorOf(parsePageRequest(10, '~a.b', { size: 'pagination.pageSize', token: 'pagination.pageToken' }), ['id'], 'pagination.pageToken'));
    expect(e.fieldViolations[0]?.field).toBe('pagination.pageToken');
  });

  it('refuses to write a key it could not read back or that would not fit', () => {
    expect(() => cursorToken(['a.b'])).toThrow();
    expect(() => cursorToken([1.5])).toThrow();
    expect(() => cursorToken([])).toThrow();
    expect(() => cursorToken([1, 'x'.repeat(64)])).toThrow(/64/);
  });

  it('pages by a many-part key: the next token continues after the last row kept', () => {
    const rows = [
      { end: 1, id: 'a' },
      { end: null, id: 'b' },
      { end: 3, id: 'c' },
    ];
    const page = pageOf(rows, { size: 2, after: null, offset: 0 }, (r) => [r.end, r.id]);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(page.nextPageToken).toBe('~.b');
    expect(read(page.nextPageToken, ['int?', 'id'])).toEqual([null, 'b']);
  });
});
