import { useMemo } from 'react';
import { renderMarkdown } from '../lib/markdown.ts';

/**
 * Text of an analysis or report. Analyses quote untrusted proposal text, and a model's answer is
 * untrusted too: it goes through the same sanitizing renderer as the proposal body.
 */
export function Quoted({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown returns HTML sanitized by DOMPurify.
  return <div className="prose-body text-sm" dangerouslySetInnerHTML={{ __html: html }} />;
}
