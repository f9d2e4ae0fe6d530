/**
 * Streams the elements of a top-level JSON array out of a byte stream, one at a time, as they
 * arrive: a listing page of 1000 datasets is megabytes, and only one element's bytes are
 * held at once. Element boundaries are found with a byte scanner (strings and escapes tracked;
 * multi-byte UTF-8 never contains the ASCII bytes it looks for) and each element is parsed by
 * the native JSON.parse, which is several times faster than a token-event parser and keeps a
 * `"__proto__"` key as a plain own property (no prototype pollution). Only the element being
 * read is held, so the body as a whole needs no size cap; one element can be capped instead.
 */
import { BodyError, type BodyErrorCode } from '../errors.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A byte for an error message: the character when printable ASCII, else its hex code. */
function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? JSON.stringify(String.fromCharCode(c)) : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** Incremental splitter: `push` chunks, get back the complete elements; `end` checks the array closed. */
export class JsonArraySplitter {
  /**
   * start: before `[` · first: after `[` (an element or `]`) · value: after `,` (an element) ·
   * after: after an element (`,` or `]`) · element: inside one · done: after `]` (only whitespace may follow)
   */
  #state: 'start' | 'first' | 'value' | 'after' | 'element' | 'done' = 'start';
  #depth = 0; // nesting inside the current element
  #inString = false;
  #escape = false;
  #scalar = false;
  #parts: Buffer[] = [];
  #partsLength = 0;
  #elementStart = -1;
  readonly #url: string;
  readonly #maxElementBytes: number;
  readonly #label: string;
  readonly #raw: boolean;
  /** an error found after elements the same chunk completed: thrown by the next call */
  #failure: unknown = null;

  /**
   * `maxElementBytes`: one element larger than this is refused (BodyError `ETL_ITEM_TOO_LARGE`,
   * naming `label`); the body as a whole is not capped here.
   */
  constructor(url = '', options: ElementLimit = {}) {
    this.#url = url;
    this.#maxElementBytes = options.maxElementBytes ?? Infinity;
    this.#label = options.label ?? (url || 'the JSON array');
    this.#raw = options.raw === true;
  }

  /**
   * Feeds one chunk; returns the elements completed by it, parsed. When the chunk also holds an
   * error (a bad or oversized element), the elements before it are returned and the error is
   * thrown by the next call.
   */
  push(chunk: Buffer): unknown[] {
    if (this.#failure) throw this.#failure;
    const out: unknown[] = [];
    try {
      this.#scan(chunk, out);
    } catch (err) {
      if (out.length === 0) throw err;
      this.#failure = err;
    }
    return out;
  }

  #scan(chunk: Buffer, out: unknown[]): void {
    const n = chunk.length;
    let i = 0;
    this.#elementStart = this.#state === 'element' ? 0 : -1;
    while (i < n) {
      if (this.#state === 'element') {
        i = this.#scanElement(chunk, i, out);
        continue;
      }
      const c = chunk[i]!;
      if (isSpace(c)) {
        i += 1;
        continue;
      }
      switch (this.#state) {
        case 'start':
          if (c !== OPEN_BRACKET) throw this.#error('the body is not a JSON array');
          this.#state = 'first';
          i += 1;
          break;
        case 'after':
          if (c === COMMA) this.#state = 'value';
          else if (c === CLOSE_BRACKET) this.#state = 'done';
          else throw this.#error(`expected "," or "]" after an element of the JSON array, got ${describeByte(c)}`);
          i += 1;
          break;
        case 'first':
        case 'value':
          if (c === CLOSE_BRACKET && this.#state === 'first') {
            this.#state = 'done';
            i += 1;
          } else if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE) {
            throw this.#error(`expected an element of the JSON array, got ${describeByte(c)}`);
          } else {
            this.#state = 'element';
            this.#elementStart = i;
            this.#depth = 0;
            this.#scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET;
          }
          break;
        default:
          throw this.#error('unexpected data after the end of the JSON array');
      }
    }
    if (this.#state === 'element') {
      const part = chunk.subarray(this.#elementStart);
      this.#parts.push(part);
      this.#partsLength += part.length;
      if (this.#partsLength > this.#maxElementBytes) throw this.#tooLarge();
    }
  }

  /** @throws BodyError when the array never closed (a truncated body). */
  end(): void {
    if (this.#failure) throw this.#failure;
    if (this.#state !== 'done') throw this.#error('the body ended before the JSON array closed (truncated)', 'ETL_TRUNCATED_BODY');
  }

  #scanElement(chunk: Buffer, start: number, out: unknown[]): number {
    const n = chunk.length;
    let i = start;
    while (i < n) {
      if (this.#inString) {
        i = this.#skipString(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) this.#inString = true;
      else if (this.#scalar) {
        // a bare number / string / literal element: it ends at the next top-level ',' or ']'
        if (c === COMMA || c === CLOSE_BRACKET) {
          this.#emit(chunk, i, out);
          return i;
        }
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth += 1;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.#depth -= 1;
        if (this.#depth === 0) {
          this.#emit(chunk, i + 1, out);
          return i + 1;
        }
      }
      i += 1;
    }
    return i;
  }

  /**
   * Inside a string at `i`: returns the index just past its closing quote (leaving the string),
   * or the chunk's end when the string goes on in the next chunk (with `#escape` set when the
   * chunk ends on an escaping backslash). Most of a listing's bytes are inside strings
   * (descriptions, citations, file names), so the closing quote is found with the native
   * `indexOf` instead of a byte loop (this scanner was ~8% of a run's CPU, bench/RESULTS.md); a quote
   * is escaped when an odd number of backslashes precede it.
   */
  #skipString(chunk: Buffer, i: number): number {
    const n = chunk.length;
    if (this.#escape) {
      this.#escape = false;
      i += 1; // the escaped byte (i < n: callers only call with bytes left)
    }
    const first = i;
    for (let from = i; ; ) {
      const q = from < n ? chunk.indexOf(QUOTE, from) : -1;
      const end = q === -1 ? n : q;
      let backslashes = 0;
      for (let k = end - 1; k >= first && chunk[k] === BACKSLASH; k--) backslashes += 1;
      if (q === -1) {
        this.#escape = (backslashes & 1) === 1;
        return n;
      }
      if ((backslashes & 1) === 0) {
        this.#inString = false;
        return q + 1;
      }
      from = q + 1;
    }
  }

  #emit(chunk: Buffer, end: number, out: unknown[]): void {
    if (this.#partsLength + end - this.#elementStart > this.#maxElementBytes) throw this.#tooLarge();
    const bytes =
      this.#parts.length === 0
        ? chunk.subarray(this.#elementStart, end)
        : Buffer.concat([...this.#parts, chunk.subarray(this.#elementStart, end)], this.#partsLength + end - this.#elementStart);
    this.#parts = [];
    this.#partsLength = 0;
    this.#state = 'after';
    this.#elementStart = -1;
    out.push(this.#raw ? bytes : parseElement(bytes, this.#url));
  }

  #tooLarge(): BodyError {
    this.#parts = []; // nothing more is read
    const mb = this.#maxElementBytes / 1024 / 1024;
    return this.#error(`one item of ${this.#label} is larger than ${mb >= 1 ? `${Math.round(mb)} MB` : `${this.#maxElementBytes} bytes`}; refused`, 'ETL_ITEM_TOO_LARGE');
  }

  #error(message: string, code: BodyErrorCode = 'ETL_BAD_BODY', cause?: unknown): BodyError {
    return new BodyError(message, this.#url, code, cause === undefined ? undefined : { cause });
  }
}

/** The cap on one element, and how messages name the array (e.g. "the listing page <url>"). */
export interface ElementLimit {
  maxElementBytes?: number;
  label?: string;
  /**
   * Hand out each element's bytes (a Buffer) unparsed, for `parseElement` later: a page read ahead
   * is held as its bytes, several times smaller than the parsed objects.
   */
  raw?: boolean;
}

/**
 * Parses one element's bytes.
 * @throws BodyError `ETL_BAD_BODY` when they are not valid JSON.
 */
export function parseElement(bytes: Buffer, url = ''): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new BodyError(`an element of the JSON array is not valid JSON (${(err as Error).message})`, url, 'ETL_BAD_BODY', { cause: err });
  }
}

/** Yields the elements of a JSON array body one by one as its bytes arrive. */
export async function* jsonArrayElements(body: AsyncIterable<unknown>, url = '', options: ElementLimit = {}): AsyncGenerator<unknown> {
  const splitter = new JsonArraySplitter(url, options);
  for await (const chunk of body) {
    const items = splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    for (const item of items) yield item;
  }
  splitter.end();
}
