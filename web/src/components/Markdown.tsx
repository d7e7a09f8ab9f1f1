import { useMemo } from 'react';
import { renderMarkdown } from '../lib/markdown.ts';

/** Untrusted markdown, rendered to sanitized HTML (lib/markdown.ts explains the rules). */
export function Markdown({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return (
    <div
      className="prose-body text-[15px]"
      data-testid="proposal-body"
      // biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown returns HTML sanitized by DOMPurify.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
