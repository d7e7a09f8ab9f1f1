import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_LENGTH, type RawRecord, readRecords } from '../src/import/reader.ts';

async function read(chunks: Array<string | Buffer>, maxRecordLength?: number): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of readRecords(Readable.from(chunks), maxRecordLength ? { maxRecordLength } : {})) out.push(r);
  return out;
}

/** Every way of cutting a text into two chunks must read the same records. */
async function everySplit(text: string, maxRecordLength?: number) {
  const whole = await read([text], maxRecordLength);
  for (let i = 1; i < text.length; i++)
    expect(await read([text.slice(0, i), text.slice(i)], maxRecordLength), `split at ${i}`).toEqual(whole);
  return whole;
}

const tooLong = (max: number) => `the record is longer than ${max} characters (the longest the importer reads)`;

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

  it('rejects a record longer than the limit and reads on, in NDJSON and in an array', async () => {
    const long = `{"a":"${'x'.repeat(40)}"}`;
    expect(await everySplit(`{"a":1}\n${long}\n{"a":3}\n${long}`, 30)).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: tooLong(30) },
      { line: 3, value: { a: 3 } },
      { line: 4, error: tooLong(30) },
    ]);
    expect(await everySplit(`[{"a":1},\n${long},\n{"a":3},${long}]`, 30)).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: tooLong(30) },
      { line: 3, value: { a: 3 } },
      { line: 3, error: tooLong(30) },
    ]);
  });

  it('rejects a line with no newline that runs far past the limit, then reads the next one', async () => {
    // 24 Mi characters in 1 Mi chunks before the first newline.
    async function* input() {
      yield '{"a":"';
      for (let i = 0; i < 24; i++) yield String.fromCharCode(97 + i).repeat(1 << 20);
      yield '"}\n{"b":2}\n';
    }
    const records: RawRecord[] = [];
    for await (const r of readRecords(input())) records.push(r);
    expect(records).toEqual([
      { line: 1, error: tooLong(MAX_RECORD_LENGTH) },
      { line: 2, value: { b: 2 } },
    ]);
  });
});
