import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type RawRecord, readRecords } from '../src/import/reader.ts';

async function read(chunks: Array<string | Buffer>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of readRecords(Readable.from(chunks))) out.push(r);
  return out;
}

/** Every way of cutting a text into two chunks must read the same records. */
async function everySplit(text: string) {
  const whole = await read([text]);
  for (let i = 1; i < text.length; i++)
    expect(await read([text.slice(0, i), text.slice(i)]), `split at ${i}`).toEqual(whole);
  return whole;
}

describe('readRecords', () => {
  it('reads NDJSON with blank lines, CRLF and no final newline, numbering lines from 1', async () => {
    expect(await everySplit('{"a":1}\r\n\n  \n{"b":"x\\ny"}\n{"c":3}')).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 4, value: { b: 'x\ny' } },
      { line: 5, value: { c: 3 } },
    ]);
  });

  it('reports malformed lines and keeps reading', async () => {
    const records = await read(['{"a":1}\n{"a":\n{"a":3}\n']);
    expect(records[0]).toEqual({ line: 1, value: { a: 1 } });
    expect(records[1]).toMatchObject({ line: 2, error: expect.stringMatching(/^malformed JSON/) });
    expect(records[2]).toEqual({ line: 3, value: { a: 3 } });
  });

  it('reads a JSON array element by element with the line each starts on', async () => {
    const text = '\n[\n  {"a": "[,]{"},\n  {"b":\n    [1, {"c": "\\"}"}]},\n  7, "s", null\n]\n';
    expect(await everySplit(text)).toEqual([
      { line: 3, value: { a: '[,]{' } },
      { line: 4, value: { b: [1, { c: '"}' }] } },
      { line: 6, value: 7 },
      { line: 6, value: 's' },
      { line: 6, value: null },
    ]);
  });

  it('reports an unterminated array, empty elements and trailing data', async () => {
    expect(await read(['[{"a":1},,{"b":2}'])).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 1, error: 'empty element in the JSON array' },
      { line: 1, value: { b: 2 } },
      { line: 1, error: "the JSON array is not closed with ']'" },
    ]);
    expect(await read(['[{"a":1},\n{"b":'])).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: 'unterminated record: the input ends inside a JSON value' },
    ]);
    expect(await read(['[{"a":1}] {"b":2}'])).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 1, error: 'unexpected data outside the JSON array' },
    ]);
    expect(await read(['[{"a":1}'])).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 1, error: "the JSON array is not closed with ']'" },
    ]);
  });

  it('keeps multi-byte characters that straddle chunks', async () => {
    const bytes = Buffer.from('{"name":"Ðecentraland 🏛️"}\n', 'utf8');
    const chunks = Array.from(bytes, (b) => Buffer.from([b]));
    expect(await read(chunks)).toEqual([{ line: 1, value: { name: 'Ðecentraland 🏛️' } }]);
  });
});
