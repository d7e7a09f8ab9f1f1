/**
 * Search snippets are HTML with <mark> only (API contract). All markup is escaped (entities the
 * server already wrote are kept), then exactly <mark> and </mark> are restored, so no other tag
 * or attribute can come through.
 */
export function renderSnippet(snippet: string): string {
  return snippet
    .replace(/&(?!(?:amp|lt|gt|quot|#39|#x27);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/&lt;(\/?)mark&gt;/g, '<$1mark>');
}
