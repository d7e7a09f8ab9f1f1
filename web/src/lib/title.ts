/**
 * A proposal title as plain text: authors write titles in markdown (`# Title`, `**Title**`,
 * `[RFC](https://…)`), and the markup is noise in a header or a table cell. Only the markup goes;
 * the words stay (underscores inside words, like snake_case, are left alone).
 */
// Escaped markup characters are set aside (as private-use characters) so no rule below strips them.
const HIDE = 0xe000;
const hide = (c: string) => String.fromCharCode(HIDE + c.charCodeAt(0));
const unhide = (c: string) => String.fromCharCode(c.charCodeAt(0) - HIDE);

export function plainTitle(title: string): string {
  return title
    .replace(/\\([\\`*_{}[\]()#+\-.!~<>])/g, (_, c: string) => hide(c))
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}#{1,6}\s+/, '')
    .replace(/\s+#+\s*$/, '')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?=[^\w*]|$)/g, '$1$2')
    .replace(/(^|[^\w])_(?=\S)([^_]+?)(?<=\S)_(?=[^\w]|$)/g, '$1$2')
    .replace(/~~(.+?)~~/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/<\/?[a-zA-Z][^>]*>/g, '')
    .replace(/[\ue000-\ue07f]/g, unhide)
    .replace(/\s+/g, ' ')
    .trim();
}
