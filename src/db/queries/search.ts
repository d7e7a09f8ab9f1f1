import type { Db } from '../client.ts';
import { prepared, runPrepared } from '../prepared.ts';

export interface SearchHit {
  kind: 'dao' | 'proposal';
  id: number;
  dao_slug: string;
  dao_name: string;
  /** A proposal's start (UTC); null for a DAO. */
  date: string | null;
  title: string;
  snippet: string;
  rank: number;
}

// ts_headline marks matches with these control characters; they are removed from the text first,
// so after HTML-escaping everything else they are the only places a <mark> can come from.
const START = '\u0001';
const STOP = '\u0002';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** HTML of a ts_headline result: everything escaped, matches wrapped in <mark>. */
export function snippetHtml(headline: string): string {
  return escapeHtml(headline).replaceAll(START, '<mark>').replaceAll(STOP, '</mark>');
}

const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

/** `$1` the websearch query, `$2` the limit, `$3` the marker characters, `$4` the headline options. */
const searchStatement = prepared<SearchHit>(
  'search',
  `with query as (select websearch_to_tsquery('english', $1::text) as q),
    hits as (
      (select 'dao' as kind, d.id, d.slug as dao_slug, d.name as dao_name, null::timestamptz as date, d.name as title, coalesce(d.description, '') as doc, ts_rank(d.search_tsv, query.q) as rank
         from daos d, query where d.search_tsv @@ query.q order by rank desc, d.id limit $2::int)
      union all
      (select 'proposal', p.id, d.slug, d.name, p.start, p.title, left(p.body, 200000), ts_rank(p.search_tsv, query.q) as rank
         from proposals p join daos d on d.id = p.dao_id, query where p.search_tsv @@ query.q order by rank desc, p.id limit $2::int))
    select h.kind, h.id, h.dao_slug, h.dao_name,
           to_char(h.date at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as date, h.title, h.rank::float8 as rank,
           ts_headline('english', translate(h.title || ' — ' || h.doc, $3::text, ''), query.q, $4::text) as snippet
      from (select kind, id, dao_slug, dao_name, date, title, doc, rank from hits order by rank desc, kind, id limit $2::int) h, query
     order by h.rank desc, h.kind, h.id`,
);

/**
 * Ranked full-text search (websearch syntax: words, "phrases", OR, -excluded) over DAO names and
 * descriptions and proposal titles and bodies; ts_rank orders, ts_headline makes the snippet of
 * only the returned rows.
 */
export async function search(db: Db, q: string, limit: number): Promise<SearchHit[]> {
  const rows = await runPrepared(db, searchStatement, [q, limit, START + STOP, HEADLINE_OPTIONS]);
  return rows.map((r) => ({
    kind: r.kind,
    id: Number(r.id),
    dao_slug: r.dao_slug,
    dao_name: r.dao_name,
    date: r.date,
    title: r.title,
    snippet: snippetHtml(r.snippet),
    rank: r.rank,
  }));
}
