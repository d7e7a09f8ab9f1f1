import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** One raw record from an input, with the line it starts on (1-based) for error reports. */
export type RawRecord = { line: number; value: unknown } | { line: number; error: string };

/**
 * Longest record (NDJSON line or array element) read, in characters. The largest valid record,
 * a proposal with a 1,000,000-character body and 1,000 choices of 1,000, is about 2 Mi as JSON,
 * with room left for escapes; a line without a newline was buffered until V8's string limit. A
 * longer record is rejected and skipped without being held, and the import goes on with the
 * next one, as after malformed JSON.
 */
export const MAX_RECORD_LENGTH = 8 * 1024 * 1024;

export interface ReadOptions {
  maxRecordLength?: number;
}

/**
 * Reads NDJSON, or a JSON array of objects, as a stream of records without loading the input
 * into memory. The format is chosen by the first non-blank character: `[` means a JSON array.
 */
export async function* readRecords(
  input: Readable | AsyncIterable<Buffer | string>,
  options: ReadOptions = {},
): AsyncGenerator<RawRecord> {
  const splitter = new RecordSplitter(options.maxRecordLength ?? MAX_RECORD_LENGTH);
  // A multi-byte character may straddle two chunks; the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input) {
    yield* splitter.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  yield* splitter.push(decoder.end());
  yield* splitter.end();
}

class RecordSplitter {
  private mode: 'unknown' | 'ndjson' | 'array' = 'unknown';
  private line = 1;
  private pending = '';
  private pendingLine = 1;
  // JSON array scanning state
  private depth = 0;
  private inString = false;
  private escaped = false;
  private arrayClosed = false;
  private elementStarted = false;
  private trailingReported = false;
  /** The current record grew past the limit: its text is dropped until it ends. */
  private oversized = false;

  constructor(private readonly maxLength: number) {}

  private tooLong(line: number): RawRecord {
    return { line, error: `the record is longer than ${this.maxLength} characters (the longest the importer reads)` };
  }

  /** Holds the start of an unfinished record, or drops it once it is too long to keep. */
  private hold(text: string) {
    if (this.oversized) return;
    this.pending += text;
    if (this.pending.length > this.maxLength) {
      this.pending = '';
      this.oversized = true;
    }
  }

  *push(text: string): Generator<RawRecord> {
    if (this.mode === 'unknown') {
      const first = text.match(/\S/);
      if (!first) {
        this.countLines(text);
        return;
      }
      this.mode = first[0] === '[' ? 'array' : 'ndjson';
    }
    if (this.mode === 'ndjson') yield* this.pushNdjson(text);
    else yield* this.pushArray(text);
  }

  *end(): Generator<RawRecord> {
    if (this.mode === 'ndjson') {
      if (this.oversized) yield this.tooLong(this.pendingLine);
      else if (this.pending.trim()) yield this.parse(this.pending, this.pendingLine);
    } else if (this.mode === 'array') {
      if (this.depth > 1 || this.inString) {
        yield { line: this.pendingLine, error: 'unterminated record: the input ends inside a JSON value' };
      } else if (this.depth === 1) {
        if (this.elementStarted) yield this.finish(this.pending, this.pendingLine);
        yield { line: this.line, error: "the JSON array is not closed with ']'" };
      }
    }
  }

  private countLines(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.line++;
  }

  private *pushNdjson(text: string): Generator<RawRecord> {
    let start = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
      const lineText = this.pending + text.slice(start, i);
      this.pending = '';
      if (this.oversized || lineText.trim()) yield this.finish(lineText, this.line);
      this.line++;
      start = i + 1;
      this.pendingLine = this.line;
    }
    this.hold(text.slice(start));
  }

  private *pushArray(text: string): Generator<RawRecord> {
    let segmentStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \\ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
        continue;
      }
      if (c <= 32) continue;
      if (this.depth === 0) {
        if (c === 91 /* [ */ && !this.arrayClosed) {
          this.depth = 1;
          segmentStart = i + 1;
        } else if (!this.trailingReported) {
          this.trailingReported = true;
          yield { line: this.line, error: 'unexpected data outside the JSON array' };
        }
        continue;
      }
      if (this.depth === 1 && !this.elementStarted && c !== 44 && c !== 93) {
        this.elementStarted = true;
        this.pendingLine = this.line;
      }
      if (c === 34) this.inString = true;
      else if (c === 91 || c === 123) this.depth++;
      else if (c === 93 || c === 125) {
        this.depth--;
        if (this.depth === 0) {
          const last = this.pending + text.slice(segmentStart, i);
          this.pending = '';
          if (this.elementStarted) yield this.finish(last, this.pendingLine);
          this.elementStarted = false;
          this.arrayClosed = true;
        }
      } else if (c === 44 /* , */ && this.depth === 1) {
        const item = this.pending + text.slice(segmentStart, i);
        this.pending = '';
        yield this.elementStarted
          ? this.finish(item, this.pendingLine)
          : { line: this.line, error: 'empty element in the JSON array' };
        this.elementStarted = false;
        segmentStart = i + 1;
      }
    }
    if (this.depth >= 1) this.hold(text.slice(segmentStart));
  }

  /** The record that just ended: parsed, or rejected when it was too long to keep. */
  private finish(text: string, line: number): RawRecord {
    const oversized = this.oversized || text.length > this.maxLength;
    this.oversized = false;
    return oversized ? this.tooLong(line) : this.parse(text, line);
  }

  private parse(text: string, line: number): RawRecord {
    try {
      return { line, value: JSON.parse(text) };
    } catch (error) {
      return { line, error: `malformed JSON: ${(error as Error).message}` };
    }
  }
}
