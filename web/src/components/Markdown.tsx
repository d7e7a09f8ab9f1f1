import { useMemo } from 'react';
import { renderMarkdown } from '../lib/markdown.ts';

/** Untrusted markdown, rendered to sanitized HTML (lib/markdown.ts explains the rules). */
export function Markdown({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div className="prose-body text-[15px]" data-testid="proposal-body" dangerouslySetInnerHTML={{ __html: html }} />;
}
