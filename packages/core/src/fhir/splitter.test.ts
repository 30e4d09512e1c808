import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BundleSplitter, BundleSyntaxError, locateJsonError, splitBundle, type BundleItem } from './splitter.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const SAMPLE_FILE = join(FIXTURES, 'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3.json');

function split(text: string, chunkSize = text.length): BundleItem[] {
  const splitter = new BundleSplitter();
  const items: BundleItem[] = [];
  for (let i = 0; i < text.length; i += chunkSize) items.push(...splitter.push(text.slice(i, i + chunkSize)));
  items.push(...splitter.end());
  return items;
}

function entries(items: BundleItem[]): unknown[] {
  return items.filter((i) => i.kind === 'entry').map((i) => JSON.parse(i.text));
}

function syntaxError(text: string, chunkSize?: number): BundleSyntaxError {
  try {
    split(text, chunkSize);
  } catch (error) {
    if (error instanceof BundleSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a BundleSyntaxError');
}

const TRICKY = `\ufeff{
  "resourceType": "Bundle",
  "type": "collection",
  "meta": {"tag": [{"code": "a]}\\"x"}]},
  "entry": [
    {"resource": {"resourceType": "Patient", "id": "p1", "note": "brackets ] } [ { and \\\\ and \\" and \\u00e9"}},
    {"resource": {"resourceType": "Observation", "id": "o1", "valueQuantity": {"value": -1.5e3}, "flag": true, "x": null}},
    {"resource": {"resourceType": "Observation", "id": "o2", "text": "line\\nbreak, emoji \ud83e\ude7a"}}
  ],
  "total": 3
}
`;

describe('BundleSplitter', () => {
  it('hands out every entry of a real Synthea bundle exactly as JSON.parse sees it', () => {
    const file = readFileSync(SAMPLE_FILE, 'utf8');
    const whole = JSON.parse(file) as { entry: unknown[] };
    const items = split(file, 4096);
    expect(entries(items)).toEqual(whole.entry);
    const members = items.filter((i) => i.kind === 'member').map((i) => (i.kind === 'member' ? i.key : ''));
    expect(members).toEqual(expect.arrayContaining(['resourceType', 'type']));
  });

  it('gives the same result whatever the chunk boundaries (strings, escapes, brackets in text)', () => {
    const expected = JSON.parse(TRICKY.slice(1)) as { entry: unknown[]; meta: unknown };
    for (const size of [1, 2, 3, 7, 64, TRICKY.length]) {
      const items = split(TRICKY, size);
      expect(entries(items)).toEqual(expected.entry);
      const members = Object.fromEntries(items.flatMap((i) => (i.kind === 'member' ? [[i.key, JSON.parse(i.text)]] : [])));
      expect(members).toEqual({ resourceType: 'Bundle', type: 'collection', meta: expected.meta, total: 3 });
    }
  });

  it('reports the line each entry starts on', () => {
    const lines = split(TRICKY).filter((i) => i.kind === 'entry').map((i) => i.line);
    expect(lines).toEqual([6, 7, 8]);
  });

  it('accepts an empty bundle and an empty entry array', () => {
    expect(split('{}')).toEqual([]);
    expect(entries(split('{"resourceType":"Bundle","entry":[]}'))).toEqual([]);
  });

  it('refuses broken structure with the line where it breaks', () => {
    expect(syntaxError('{"entry": [\n{"a": 1},\n{"b": [1, 2}\n]}').message).toBe("line 3: '}' does not match the '[' it closes (entry 1)");
    expect(syntaxError('{"entry": [\n{"a": 1}\n{"b": 2}]}').message).toBe("line 3: expected ',' or ']' after entry 0, found '{'");
    expect(syntaxError('{"entry": [{"a": 1},]}').message).toBe("line 1: expected an entry after ',' in \"entry\", found ']'");
    expect(syntaxError('{"entry": [\n{"a": "unterminated}\n').message).toMatch(/^line \d+: unexpected end of file \(inside entry 0, which starts on line 2\)$/);
    expect(syntaxError('{"resourceType": "Bundle"} extra').message).toBe("line 1: unexpected 'e' after the end of the bundle");
    expect(syntaxError('[1, 2]').message).toBe("line 1: expected '{' to open the bundle, found '['");
    expect(syntaxError('').message).toBe('line 1: the file is empty');
    expect(syntaxError('{"a" 1}').message).toBe(`line 1: expected ':' after "a", found '1'`);
    expect(syntaxError('{"a": 1,\n\n}').message).toBe("line 3: expected a property name, found '}'");
  });

  it('streams from an async source of byte chunks, splitting multi-byte characters safely', async () => {
    const bytes = Buffer.from(TRICKY, 'utf8');
    async function* oneByteAtATime() {
      for (let i = 0; i < bytes.length; i += 1) yield bytes.subarray(i, i + 1);
    }
    const items: BundleItem[] = [];
    for await (const item of splitBundle(oneByteAtATime())) items.push(item);
    expect(entries(items)).toEqual((JSON.parse(TRICKY.slice(1)) as { entry: unknown[] }).entry);
  });

  it('refuses bytes that are not UTF-8', async () => {
    async function* bad() {
      yield Buffer.from('{"entry": [{"a": "');
      yield Buffer.from([0xff, 0xfe, 0x22]);
    }
    await expect(async () => {
      for await (const _ of splitBundle(bad())) void _;
    }).rejects.toThrow('line 1: the file is not valid UTF-8');
  });
});

describe('locateJsonError', () => {
  it('finds the line and the problem without quoting the input', () => {
    expect(locateJsonError('{\n  "name": "Jane Doe",\n  "x": tru\n}')).toEqual({ lineOffset: 2, problem: "unexpected 't'" });
    expect(locateJsonError('{"a": 1\n "b": 2}')).toEqual({ lineOffset: 1, problem: `expected ',' or '}' after a property value, found '"'` });
    expect(locateJsonError('{"a": "x\\q"}').problem).toBe('invalid escape \\q in a string');
    expect(locateJsonError('{"a": [1, 2,]}').problem).toBe("unexpected ']'");
  });
});
