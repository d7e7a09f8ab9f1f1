import { useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useDaos, useSearch } from '../api/hooks.ts';
import { formatDate } from '../lib/format.ts';
import { renderSnippet } from '../lib/snippet.ts';

/**
 * Header search: DAOs by name and proposals by full text (/search). Results are plain links, so
 * Tab and Enter work as everywhere else.
 */
export function SearchBox() {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const location = useLocation();

  useEffect(() => {
    const t = setTimeout(() => setQuery(text.trim()), 200);
    return () => clearTimeout(t);
  }, [text]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a navigation closes the results; location is the trigger, not a value read.
  useEffect(() => setOpen(false), [location]);
  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);

  const active = query.length >= 2;
  const daos = useDaos(active ? { search: query, per_page: 5, sort: 'total_votes', order: 'desc' } : { per_page: 1 });
  const search = useSearch(active ? query : '', 8);
  const daoHits = active ? (daos.data?.data ?? []) : [];
  const proposalHits = (search.data ?? []).filter((h) => h.kind === 'proposal');

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape anywhere in the search (input or result links) closes the results; the key events bubble here.
    <div ref={box} className="relative w-full min-w-0 max-w-xs" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <input
        type="search"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        placeholder="Search…"
        aria-label="Search DAOs and proposals"
        className="w-full rounded-lg border border-line bg-subtle px-3 py-1.5 text-sm placeholder:text-muted/80"
      />
      {open && active && (
        <section
          aria-label="Search results"
          className="absolute top-full right-0 left-0 z-50 mt-1 max-h-96 overflow-y-auto rounded-lg border border-line bg-surface p-1 text-sm shadow-lg sm:left-auto sm:w-96"
        >
          {daoHits.length === 0 && proposalHits.length === 0 ? (
            <div className="px-3 py-2 text-muted">
              {daos.isFetching || search.isFetching ? 'Searching…' : `Nothing found for “${query}”`}
            </div>
          ) : (
            <ul>
              {daoHits.map((d) => (
                <li key={`dao-${d.id}`}>
                  <Link
                    to={`/daos/${d.slug}`}
                    className="flex items-center justify-between gap-2 rounded-md px-3 py-2 hover:bg-subtle"
                  >
                    <span className="truncate font-medium">{d.name}</span>
                    <span className="text-xs text-muted">DAO</span>
                  </Link>
                </li>
              ))}
              {proposalHits.map((h) => (
                <li key={`p-${h.id}`}>
                  <Link to={`/proposals/${h.id}`} className="block rounded-md px-3 py-2 hover:bg-subtle">
                    <span className="line-clamp-1 font-medium">{h.title}</span>
                    <span className="block text-xs text-muted" data-testid="search-hit-meta">
                      {h.dao_name} · {formatDate(h.date)}
                    </span>
                    <span
                      className="line-clamp-1 text-xs text-muted"
                      // biome-ignore lint/security/noDangerouslySetInnerHtml: renderSnippet escapes all markup and restores only <mark>.
                      dangerouslySetInnerHTML={{ __html: renderSnippet(h.snippet) }}
                    />
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
