/**
 * Streams a FHIR Bundle's JSON text and hands out each element of its top-level `entry`
 * array as its own JSON text, so a 50 MB bundle never becomes 50 MB of objects: only one
 * entry is held at a time. The scanner tracks strings, escapes and nesting (with a stack,
 * so a `]` closing a `{` is caught where it happens) and counts lines for error messages.
 * Token-level mistakes inside an entry (`tru`, a missing comma) are left to JSON.parse and
 * then located by `locateJsonError`.
 */
import { TextDecoder } from 'node:util';

export type BundleItem =
  /** One element of the top-level `entry` array (0-based index), and the line it starts on. */
  | { kind: 'entry'; index: number; line: number; text: string }
  /** Any other top-level member (`resourceType`, `type`, `id`, …), value as JSON text. */
  | { kind: 'member'; key: string; line: number; text: string };

export class BundleSyntaxError extends Error {
  override name = 'BundleSyntaxError';
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

const enum State {
  BeforeRoot,
  KeyOrEnd,
  Key,
  Colon,
  ValueStart,
  EntryFirst,
  EntryNext,
  EntryAfter,
  AfterValue,
  AfterRoot,
  Capture,
}

const QUOTE = 34; // "
const BACKSLASH = 92;
const NEWLINE = 10;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function describe(c: number): string {
  const ch = String.fromCharCode(c);
  return /[\x20-\x7e]/.test(ch) ? `'${ch}'` : `character U+${c.toString(16).padStart(4, '0')}`;
}

/**
 * Push-style scanner: feed chunks with `push`, collect the items it returns, call `end`
 * after the last chunk. Chunks are strings (decode bytes with a streaming UTF-8 decoder
 * first: a multi-byte character may straddle chunk boundaries).
 */
export class BundleSplitter {
  private state = State.BeforeRoot;
  private line = 1;
  private sawMember = false;
  private key = '';
  private keyParts: string[] = [];
  private keyEscape = false;

  // The value being captured.
  private parts: string[] = [];
  private captureLine = 1;
  private captureIsEntry = false;
  private stack: number[] = [];
  private inString = false;
  private escape = false;
  private scalar = false;
  private entryIndex = 0;
  private started = false;
  private backslashChunk: string | undefined;
  private backslashAt = -2;

  push(chunk: string): BundleItem[] {
    const out: BundleItem[] = [];
    let i = 0;
    const n = chunk.length;
    // Where the current capture starts inside this chunk (-1: started in an earlier chunk).
    let captureFrom = this.state === State.Capture ? 0 : -1;

    while (i < n) {
      if (this.state === State.Capture) {
        const end = this.scanCapture(chunk, i);
        if (end < 0) {
          this.parts.push(chunk.slice(captureFrom));
          return out;
        }
        // A scalar ends before its delimiter, which the next state must see again.
        const stop = this.scalar ? end : end + 1;
        this.parts.push(chunk.slice(captureFrom, stop));
        out.push(this.finishCapture());
        captureFrom = -1;
        i = stop;
        continue;
      }

      const c = chunk.charCodeAt(i);
      if (this.state === State.Key) {
        const start = i;
        while (i < n) {
          const k = chunk.charCodeAt(i);
          if (this.keyEscape) this.keyEscape = false;
          else if (k === BACKSLASH) this.keyEscape = true;
          else if (k === QUOTE) break;
          else if (k === NEWLINE) throw new BundleSyntaxError(this.line, 'line break inside a property name');
          i += 1;
        }
        this.keyParts.push(chunk.slice(start, i));
        if (i >= n) return out;
        this.key = decodeKey(this.keyParts.join(''), this.line);
        this.keyParts = [];
        this.state = State.Colon;
        i += 1;
        continue;
      }

      if (c === NEWLINE) this.line += 1;
      if (isSpace(c) || (c === 0xfeff && !this.started)) {
        i += 1;
        continue;
      }
      this.started = true;

      switch (this.state) {
        case State.BeforeRoot:
          if (c !== OPEN_BRACE) throw new BundleSyntaxError(this.line, `expected '{' to open the bundle, found ${describe(c)}`);
          this.state = State.KeyOrEnd;
          break;
        case State.KeyOrEnd:
          if (c === QUOTE) this.state = State.Key;
          else if (c === CLOSE_BRACE && !this.sawMember) this.state = State.AfterRoot;
          else throw new BundleSyntaxError(this.line, `expected a property name, found ${describe(c)}`);
          break;
        case State.Colon:
          if (c !== COLON) throw new BundleSyntaxError(this.line, `expected ':' after "${this.key}", found ${describe(c)}`);
          this.state = State.ValueStart;
          break;
        case State.ValueStart:
          this.sawMember = true;
          if (this.key === 'entry' && c === OPEN_BRACKET) {
            this.state = State.EntryFirst;
          } else {
            this.beginCapture(c, false);
            captureFrom = i;
            continue; // the capture scanner reads this character itself
          }
          break;
        case State.EntryFirst:
        case State.EntryNext:
          if (c === CLOSE_BRACKET && this.state === State.EntryFirst) {
            this.state = State.AfterValue;
          } else if (c === CLOSE_BRACKET || c === COMMA) {
            throw new BundleSyntaxError(this.line, `expected an entry after ',' in "entry", found ${describe(c)}`);
          } else {
            this.beginCapture(c, true);
            captureFrom = i;
            continue;
          }
          break;
        case State.EntryAfter:
          if (c === COMMA) this.state = State.EntryNext;
          else if (c === CLOSE_BRACKET) this.state = State.AfterValue;
          else throw new BundleSyntaxError(this.line, `expected ',' or ']' after entry ${this.entryIndex - 1}, found ${describe(c)}`);
          break;
        case State.AfterValue:
          if (c === COMMA) {
            this.state = State.KeyOrEnd;
            this.sawMember = true;
          } else if (c === CLOSE_BRACE) {
            this.state = State.AfterRoot;
          } else {
            throw new BundleSyntaxError(this.line, `expected ',' or '}' after the value of "${this.key}", found ${describe(c)}`);
          }
          break;
        case State.AfterRoot:
          throw new BundleSyntaxError(this.line, `unexpected ${describe(c)} after the end of the bundle`);
        default:
          throw new BundleSyntaxError(this.line, 'internal scanner state error');
      }
      i += 1;
    }
    return out;
  }

  /** Call after the last chunk: an unfinished bundle is an error. */
  end(): BundleItem[] {
    if (this.state === State.Capture && this.scalar) {
      // A scalar may end exactly at the end of input; only legal where a value can end, which
      // for a bundle (an object) is never the last thing in the file.
      throw new BundleSyntaxError(this.line, 'unexpected end of file inside a value');
    }
    if (this.state === State.AfterRoot) return [];
    if (this.state === State.BeforeRoot) throw new BundleSyntaxError(this.line, 'the file is empty');
    const where = this.state === State.Capture ? (this.captureIsEntry ? ` (inside entry ${this.entryIndex}, which starts on line ${this.captureLine})` : ` (inside "${this.key}")`) : '';
    throw new BundleSyntaxError(this.line, `unexpected end of file${where}`);
  }

  private beginCapture(c: number, isEntry: boolean): void {
    this.state = State.Capture;
    this.captureIsEntry = isEntry;
    this.captureLine = this.line;
    this.parts = [];
    this.stack = [];
    this.inString = false;
    this.escape = false;
    this.scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET && c !== QUOTE;
    if (this.scalar && (c === CLOSE_BRACE || c === CLOSE_BRACKET || c === COMMA || c === COLON)) {
      throw new BundleSyntaxError(this.line, `expected a value, found ${describe(c)}`);
    }
  }

  /**
   * Scans the captured value from `from`; returns the index of its last character, or -1
   * when the chunk ends first.
   */
  private scanCapture(chunk: string, from: number): number {
    const n = chunk.length;
    let i = from;
    if (this.scalar) {
      for (; i < n; i += 1) {
        const c = chunk.charCodeAt(i);
        if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) return i;
      }
      return -1;
    }
    const stack = this.stack;
    // Next backslash in this chunk: -2 not looked for yet, -1 none left. Remembered across
    // strings so each chunk is searched for backslashes once, not once per string.
    let backslash = this.backslashChunk === chunk ? this.backslashAt : -2;
    while (i < n) {
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          i += 1;
          continue;
        }
        // Jump to the next quote or backslash: most of a FHIR bundle's bytes are in strings.
        if (backslash !== -1 && backslash < i) backslash = chunk.indexOf('\\', i);
        const quote = chunk.indexOf('"', i);
        if (quote < 0 && backslash < 0) break;
        if (backslash >= 0 && (quote < 0 || backslash < quote)) {
          this.escape = true;
          i = backslash + 1;
          continue;
        }
        this.inString = false;
        i = quote;
        if (stack.length === 0) return this.remember(chunk, backslash, i); // a top-level string ended
        i += 1;
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) stack.push(c);
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        const open = stack.pop();
        const expected = open === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
        if (open === undefined || c !== expected) {
          const what = open === undefined ? 'has nothing to close' : `does not match the ${open === OPEN_BRACE ? "'{'" : "'['"} it closes`;
          throw new BundleSyntaxError(this.line, `${describe(c)} ${what}${this.captureIsEntry ? ` (entry ${this.entryIndex})` : ''}`);
        }
        if (stack.length === 0) return this.remember(chunk, backslash, i);
      } else if (c === NEWLINE) this.line += 1;
      i += 1;
    }
    return this.remember(chunk, backslash, -1);
  }

  private remember(chunk: string, backslash: number, result: number): number {
    this.backslashChunk = chunk;
    this.backslashAt = backslash;
    return result;
  }

  /** The line the scanner has reached (1-based). */
  get currentLine(): number {
    return this.line;
  }

  private finishCapture(): BundleItem {
    const text = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
    this.parts = [];
    if (this.captureIsEntry) {
      this.state = State.EntryAfter;
      const item: BundleItem = { kind: 'entry', index: this.entryIndex, line: this.captureLine, text };
      this.entryIndex += 1;
      return item;
    }
    this.state = State.AfterValue;
    return { kind: 'member', key: this.key, line: this.captureLine, text };
  }
}

function decodeKey(raw: string, line: number): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    throw new BundleSyntaxError(line, 'invalid escape in a property name');
  }
}

/** Splits a stream of text chunks; see BundleSplitter. */
export async function* splitBundle(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<BundleItem> {
  const splitter = new BundleSplitter();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decodeChunk(decoder, chunk, splitter);
    yield* splitter.push(text);
  }
  const tail = decoder.decode();
  if (tail) yield* splitter.push(tail);
  yield* splitter.end();
}

function decodeChunk(decoder: TextDecoder, chunk: Buffer, splitter: BundleSplitter): string {
  try {
    return decoder.decode(chunk, { stream: true });
  } catch {
    throw new BundleSyntaxError(splitter.currentLine, 'the file is not valid UTF-8');
  }
}

/**
 * Where JSON.parse failed in `text`, as a line offset and a description, found by a small
 * validating scan. JSON.parse's own message quotes the input, which may be PHI, so it is
 * never shown.
 */
export function locateJsonError(text: string): { lineOffset: number; problem: string } {
  let i = 0;
  let lineOffset = 0;
  const fail = (problem: string): never => {
    throw Object.assign(new Error(problem), { located: true });
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) lineOffset += 1;
      else if (!isSpace(c)) break;
      i += 1;
    }
  };
  const here = () => (i < text.length ? describe(text.charCodeAt(i)) : 'end of entry');
  const string = () => {
    i += 1;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i += 1;
        return;
      }
      if (c === BACKSLASH) {
        const e = text[i + 1] ?? '';
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in a string');
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e) || e === '') fail(`invalid escape \\${e} in a string`);
        i += 2;
        continue;
      }
      if (c < 0x20) fail(c === NEWLINE ? 'line break inside a string' : 'control character inside a string');
      i += 1;
    }
    fail('unterminated string');
  };
  const value = (): void => {
    ws();
    const c = text.charCodeAt(i);
    if (c === QUOTE) return string();
    if (c === OPEN_BRACE) {
      i += 1;
      ws();
      if (text.charCodeAt(i) === CLOSE_BRACE) {
        i += 1;
        return;
      }
      for (;;) {
        ws();
        if (text.charCodeAt(i) !== QUOTE) fail(`expected a property name, found ${here()}`);
        string();
        ws();
        if (text.charCodeAt(i) !== COLON) fail(`expected ':' after a property name, found ${here()}`);
        i += 1;
        value();
        ws();
        if (text.charCodeAt(i) === COMMA) {
          i += 1;
          continue;
        }
        if (text.charCodeAt(i) === CLOSE_BRACE) {
          i += 1;
          return;
        }
        fail(`expected ',' or '}' after a property value, found ${here()}`);
      }
    }
    if (c === OPEN_BRACKET) {
      i += 1;
      ws();
      if (text.charCodeAt(i) === CLOSE_BRACKET) {
        i += 1;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text.charCodeAt(i) === COMMA) {
          i += 1;
          continue;
        }
        if (text.charCodeAt(i) === CLOSE_BRACKET) {
          i += 1;
          return;
        }
        fail(`expected ',' or ']' in an array, found ${here()}`);
      }
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!literal) fail(`unexpected ${here()}`);
    i += (literal as RegExpExecArray)[0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${here()} after the entry`);
    return { lineOffset, problem: 'invalid JSON' };
  } catch (error) {
    if ((error as { located?: boolean }).located) return { lineOffset, problem: (error as Error).message };
    throw error;
  }
}
