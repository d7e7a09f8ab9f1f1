import type { ItemSentence } from 'wink-nlp';
import { nlp } from './nlp.ts';

/**
 * Markdown proposal text → the prose sentences an extractive summary may quote. Every sentence
 * is an exact substring of the body (the tests hold it to that), so a summary never says what
 * the author did not write.
 */
export interface Sentence {
  /** The sentence exactly as it stands in the body. */
  text: string;
  /** Position in the document (0-based, prose sentences only). */
  index: number;
  /** The heading of the section it is in, lowercase ('' before the first heading). */
  section: string;
  /** Normalised content words (lowercase, no stop words, punctuation or numbers). */
  words: string[];
}

interface Block {
  text: string;
  section: string;
}

const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s{0,3}(```|~~~)/;
const LIST_MARKER = /^\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?/;
/** Sections whose text is boilerplate of every AIP rather than content. */
const KEY_VALUE = /^[\w\s()/-]{1,40}:\s*\S/;
const SKIPPED_SECTIONS = /^(copyright|references?|links?|disclaimer)\b/;

/** Splits markdown into prose blocks (paragraphs and list items), skipping code, tables, headings and boilerplate. */
export function proseBlocks(body: string): Block[] {
  const blocks: Block[] = [];
  const lines = body.split('\n');
  let section = '';
  let inFence = false;
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0 && !SKIPPED_SECTIONS.test(section)) {
      // Lines of "Key: value" pairs are a record, not a paragraph: each line stands alone.
      if (current.length > 1 && current.some((l) => KEY_VALUE.test(l)))
        for (const l of current) blocks.push({ text: l, section });
      else blocks.push({ text: current.join('\n'), section });
    }
    current = [];
  };
  for (const line of lines) {
    if (FENCE.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      section = heading[2]!.toLowerCase().replace(/[*_`]/g, '').trim();
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('|') || trimmed.startsWith('<') || /^[-=*_]{3,}$/.test(trimmed)) {
      flush();
      continue;
    }
    const marker = LIST_MARKER.exec(line);
    if (marker) {
      flush();
      current.push(line.slice(marker[0].length));
      continue;
    }
    current.push(trimmed.startsWith('>') ? trimmed.replace(/^>\s*/, '') : line.trim());
  }
  flush();
  return blocks;
}

const MIN_WORDS = 5;
const MAX_WORDS = 90;

/** The prose sentences of a markdown body, in order, each an exact substring of it. */
export function sentences(body: string): Sentence[] {
  const its = nlp().its;
  const out: Sentence[] = [];
  // A sentence repeated in the text (a heading-like line under each chain, say) is ranked once.
  const seen = new Set<string>();
  for (const block of proseBlocks(body)) {
    const doc = nlp().readDoc(block.text);
    doc.sentences().each((s: ItemSentence) => {
      const text = s.out().trim();
      // A sentence must be quotable verbatim; wink keeps the spacing, but anything it normalised is dropped.
      if (text === '' || seen.has(text) || !body.includes(text)) return;
      const types = s.tokens().out(its.type) as string[];
      const normals = s.tokens().out(its.normal) as string[];
      const stops = s.tokens().out(its.stopWordFlag) as unknown as boolean[];
      const wordCount = types.filter((t) => t === 'word').length;
      if (wordCount < MIN_WORDS || wordCount > MAX_WORDS) return;
      // Mostly links or markup is not prose.
      if ((text.match(/https?:\/\//g)?.length ?? 0) > 1 || /^\[[^\]]*\]\([^)]*\)\.?$/.test(text)) return;
      const words: string[] = [];
      for (let i = 0; i < types.length; i++)
        if (types[i] === 'word' && !stops[i] && normals[i]!.length > 2) words.push(normals[i]!);
      seen.add(text);
      out.push({ text, index: out.length, section: block.section, words });
    });
  }
  return out;
}
