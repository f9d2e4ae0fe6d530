/**
 * The streaming JSON array splitter (src/hub/json-array.ts): every element, however the body is
 * cut into chunks, equals what JSON.parse makes of the whole body; anything that is not one
 * complete JSON array is a BodyError (ETL_TRUNCATED_BODY when it just stops).
 */
import { describe, expect, it } from 'vitest';
import { BodyError } from '../src/errors.js';
import { JsonArraySplitter, jsonArrayElements, parseElement } from '../src/hub/json-array.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** All elements of `chunks` fed in order, then end(). */
function split(chunks: Buffer[], url = 'http://hub.test/api/datasets'): unknown[] {
  const s = new JsonArraySplitter(url);
  const out: unknown[] = [];
  for (const c of chunks) out.push(...s.push(c));
  s.end();
  return out;
}

/** The BodyError thrown while splitting `chunks` (fails the test when none is thrown). */
function failure(chunks: Buffer[]): BodyError {
  try {
    split(chunks);
  } catch (err) {
    expect(err).toBeInstanceOf(BodyError);
    return err as BodyError;
  }
  throw new Error('expected a BodyError');
}

/** Every byte position: the body cut in two there. */
function cutsInTwo(body: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let p = 0; p <= body.length; p++) out.push([body.subarray(0, p), body.subarray(p)]);
  return out;
}

// escaped quotes and backslashes, brackets/braces/commas inside strings, multi-byte UTF-8
// (2-, 3- and 4-byte sequences), \u escapes (also of a backslash and a quote), a lone surrogate
// escape, nested arrays, scalars of every kind, whitespace everywhere
const TRICKY = String.raw` [
  {"id":"a/b","s":"quote \" inside","bs":"ends with backslash \\","both":"\\\"","br":"}{][,:","u":"\u005c\u0022\ud800"},
  "a string, with ] and } and \" and \\",
  [[], [[1, [2, [3]]], {"k": [{}]}]],
  -12.5e-3 , 0, true ,false,null ,
	{"uni":"éß日本語😀👩‍👩‍👧","nested":{"deep":[{"x":[[["y"]]]}]},"empty":"","esc":"\n\t\r\b\f\/"} ,
  {"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}},
  "\\",
  "\"",
  {}
]
`;

describe('JsonArraySplitter', () => {
  it('gives every element as JSON.parse would, whole body in one chunk', () => {
    const body = b(TRICKY);
    expect(split([body])).toEqual(JSON.parse(TRICKY));
  });

  it('gives the same elements whatever byte the body is cut at (incl. inside multi-byte characters and escapes)', () => {
    const body = b(TRICKY);
    const want = JSON.parse(TRICKY) as unknown[];
    for (const chunks of cutsInTwo(body)) expect(split(chunks)).toEqual(want);
  });

  it('gives the same elements when fed one byte at a time, or cut in three everywhere (small body)', () => {
    const body = b(TRICKY);
    const bytes: Buffer[] = [];
    for (let i = 0; i < body.length; i++) bytes.push(body.subarray(i, i + 1));
    expect(split(bytes)).toEqual(JSON.parse(TRICKY));

    const small = b('[{"a":"x\\"]"},[1,[2]],"é\\\\",7]');
    const want = JSON.parse(small.toString('utf8')) as unknown[];
    for (let p = 0; p <= small.length; p++) {
      for (let q = p; q <= small.length; q++) {
        expect(split([small.subarray(0, p), small.subarray(p, q), small.subarray(q)])).toEqual(want);
      }
    }
  });

  it('returns elements as soon as they are complete (streaming), not at the end', () => {
    const s = new JsonArraySplitter();
    expect(s.push(b('[{"id":"a"},{"id":'))).toEqual([{ id: 'a' }]);
    expect(s.push(b('"b"}'))).toEqual([{ id: 'b' }]);
    expect(s.push(b(',1'))).toEqual([]); // a number may go on: it ends at "," or "]"
    expect(s.push(b('2]'))).toEqual([12]);
    s.end();
  });

  it('reads scalars, empty arrays and whitespace around everything', () => {
    expect(split([b('[]')])).toEqual([]);
    expect(split([b(' \r\n\t[ \n ] \n')])).toEqual([]);
    expect(split([b('[1,2.5,-3e2,"x,y]",true,false,null]')])).toEqual([1, 2.5, -300, 'x,y]', true, false, null]);
    expect(split([b('[ "a" , "b" ]')])).toEqual(['a', 'b']);
    expect(split([b('[[],[[]],{}]')])).toEqual([[], [[]], {}]);
    expect(split([b('[1'), b(' '), b(']')])).toEqual([1]);
  });

  it('keeps a "__proto__" key as an own property, without touching Object.prototype', () => {
    const [el] = split([b('[{"__proto__":{"polluted":true},"id":"x/y"}]')]) as Array<Record<string, unknown>>;
    expect(Object.hasOwn(el!, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(el)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('handles an element split over many chunks (1 MB string) and a deeply nested element', () => {
    const big = 'x'.repeat(1 << 20) + '"\\ü😀';
    const body = b(JSON.stringify([{ id: 'big', description: big }, 'after']));
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += 16_384) chunks.push(body.subarray(i, i + 16_384));
    const out = split(chunks) as Array<{ description: string } | string>;
    expect((out[0] as { description: string }).description).toBe(big);
    expect(out[1]).toBe('after');

    const depth = 100_000;
    const deep = b('[' + '['.repeat(depth) + ']'.repeat(depth) + ',{"id":"next"}]');
    const els = split([deep.subarray(0, 70_001), deep.subarray(70_001)]);
    expect(els).toHaveLength(2);
    expect(els[1]).toEqual({ id: 'next' });
  });

  it('a body that stops early is ETL_TRUNCATED_BODY, at every cut', () => {
    const body = b('[{"id":"a","s":"x\\"y"},["n",[1]],"str",12,true]');
    for (let p = 0; p < body.length; p++) {
      const err = failure([body.subarray(0, p)]);
      expect(err.code).toBe('ETL_TRUNCATED_BODY');
      expect(err.message).toMatch(/truncated/);
    }
    expect(failure([]).code).toBe('ETL_TRUNCATED_BODY');
    expect(failure([b('  ')]).code).toBe('ETL_TRUNCATED_BODY');
  });

  it('a body that is not an array is ETL_BAD_BODY (e.g. the {"error": …} of a 200)', () => {
    for (const text of ['{"error":"Internal Error"}', '"[1]"', 'null', '42', '<html><body>502 Bad Gateway</body></html>', '\ufeff[]']) {
      const err = failure([b(text)]);
      expect(err.code).toBe('ETL_BAD_BODY');
      expect(err.message).toMatch(/not a JSON array/);
      expect(err.url).toBe('http://hub.test/api/datasets');
    }
  });

  it('data after the closing bracket is ETL_BAD_BODY (trailing garbage), whitespace is not', () => {
    for (const text of ['[1]x', '[1][2]', '[{"a":1}],', '[]{}', '[] <html>']) {
      expect(failure([b(text)]).code, text).toBe('ETL_BAD_BODY');
    }
    expect(failure([b('[1]'), b(' \n'), b('x')]).message).toMatch(/after the end/);
    expect(split([b('[1]'), b(' \n\r\t')])).toEqual([1]);
  });

  it('a malformed element or separator is ETL_BAD_BODY', () => {
    for (const text of [
      '[1,]', '[,1]', '[,]', '[1,,2]', '[1 2]', '[{}{}]', '[{} {}]', '[[]{}]', '[{"a":}]', '[}]', '[{]', '[{"a":1]',
      '[tru]', '["unterminated]', '[NaN]', '[undefined]', "['single']", '[{"a":1},}',
    ]) {
      const err = failure([b(text)]);
      expect(['ETL_BAD_BODY', 'ETL_TRUNCATED_BODY'], text).toContain(err.code);
    }
    // these are complete arrays with a bad element or separator: never "truncated"
    for (const text of ['[1,]', '[,1]', '[1 2]', '[{}{}]', '[{"a":}]', '[}]', '[NaN]']) {
      expect(failure([b(text)]).code, text).toBe('ETL_BAD_BODY');
    }
  });
});

describe('raw elements (a page read ahead, parsed at its turn)', () => {
  it('hands out each element as its bytes, which parseElement turns into what JSON.parse gives, at every cut', () => {
    const body = b(TRICKY);
    const want = JSON.parse(TRICKY) as unknown[];
    for (const chunks of cutsInTwo(body)) {
      const splitter = new JsonArraySplitter('', { raw: true });
      const raw = chunks.flatMap((c) => splitter.push(c));
      splitter.end();
      expect(raw.every((e) => Buffer.isBuffer(e))).toBe(true);
      expect(raw.map((e) => parseElement(e as Buffer))).toEqual(want);
    }
  });

  it('leaves a balanced but invalid element to parseElement, which refuses it as ETL_BAD_BODY', () => {
    const splitter = new JsonArraySplitter('http://x/list', { raw: true });
    const raw = splitter.push(b('[{"a":1},{"a":}]'));
    splitter.end();
    expect(parseElement(raw[0] as Buffer)).toEqual({ a: 1 });
    const err = (() => {
      try {
        parseElement(raw[1] as Buffer, 'http://x/list');
        return null;
      } catch (e) {
        return e as BodyError;
      }
    })();
    expect(err).toBeInstanceOf(BodyError);
    expect(err!.code).toBe('ETL_BAD_BODY');
    expect(err!.url).toBe('http://x/list');
  });
});

describe('jsonArrayElements', () => {
  async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
    const body = b(text);
    for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
  }

  it('yields every element of a streamed body', async () => {
    const got: unknown[] = [];
    for await (const el of jsonArrayElements(chunked(TRICKY, 7))) got.push(el);
    expect(got).toEqual(JSON.parse(TRICKY));
  });

  it('accepts string chunks', async () => {
    async function* strings(): AsyncGenerator<string> {
      yield '[{"id":"é';
      yield '"},2]';
    }
    const got: unknown[] = [];
    for await (const el of jsonArrayElements(strings())) got.push(el);
    expect(got).toEqual([{ id: 'é' }, 2]);
  });

  it('yields the complete elements, then throws ETL_TRUNCATED_BODY for a body that breaks off', async () => {
    const got: unknown[] = [];
    let error: unknown = null;
    try {
      for await (const el of jsonArrayElements(chunked('[{"id":"a"},{"id":"b"},{"id":"c', 5), 'http://x/api/datasets')) got.push(el);
    } catch (err) {
      error = err;
    }
    expect(got).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(error).toBeInstanceOf(BodyError);
    expect((error as BodyError).code).toBe('ETL_TRUNCATED_BODY');
    expect((error as BodyError).url).toBe('http://x/api/datasets');
  });
});

describe('the cap on one element (maxElementBytes)', () => {
  const body = b('[{"id":"a"},{"id":"' + 'x'.repeat(100) + '"},{"id":"c"}]');

  it('lets elements up to the cap through, whatever the body size, and refuses a larger one naming the array', () => {
    const fits = new JsonArraySplitter('u', { maxElementBytes: 110, label: 'the listing page P' });
    expect(fits.push(body)).toHaveLength(3);
    for (const cut of [1, 5, 20, 64, 200]) {
      const s = new JsonArraySplitter('u', { maxElementBytes: 50, label: 'the listing page P' });
      const got: unknown[] = [];
      let error: unknown = null;
      try {
        for (let i = 0; i < body.length; i += cut) got.push(...s.push(body.subarray(i, i + cut)));
        s.end(); // an error found after an element the same chunk completed comes with the next call
      } catch (err) {
        error = err;
      }
      expect(error, `chunks of ${cut}`).toBeInstanceOf(BodyError);
      expect((error as BodyError).code).toBe('ETL_ITEM_TOO_LARGE');
      expect((error as BodyError).message).toBe('one item of the listing page P is larger than 50 bytes; refused');
      expect(got).toEqual([{ id: 'a' }]);
    }
  });

  it('an element of exactly the cap passes', () => {
    const el = '{"id":"' + 'x'.repeat(20) + '"}';
    const s = new JsonArraySplitter('u', { maxElementBytes: el.length });
    expect(s.push(b(`[${el.slice(0, 9)}`))).toEqual([]);
    expect(s.push(b(`${el.slice(9)}]`))).toHaveLength(1);
    s.end();
  });
});
