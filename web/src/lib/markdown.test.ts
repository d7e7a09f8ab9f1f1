// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

const render = (md: string) => {
  const div = document.createElement('div');
  div.innerHTML = renderMarkdown(md);
  return div;
};

describe('renderMarkdown', () => {
  it('renders ordinary markdown', () => {
    const div = render('# Title\n\nSome **bold** text and a [link](https://example.org).\n\n- one\n- two');
    expect(div.querySelector('h1')?.textContent).toBe('Title');
    expect(div.querySelector('strong')?.textContent).toBe('bold');
    const link = div.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://example.org');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(div.querySelectorAll('li')).toHaveLength(2);
  });

  it('shows raw HTML as text instead of parsing it', () => {
    const div = render('<script>window.x = 1</script>\n\nInline <img src=x onerror="alert(1)"> here');
    expect(div.querySelector('script, img')).toBeNull();
    expect(div.textContent).toContain('<script>window.x = 1</script>');
    expect(div.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('drops javascript: and data: links but keeps their text', () => {
    const div = render('[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](data:text/html,<b>x</b>) [d](/daos/x)');
    const hrefs = [...div.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs.filter((h) => h && !/^(https?:|\/)/.test(h))).toEqual([]);
    expect(hrefs).toContain('/daos/x');
    expect(div.textContent).toContain('a');
  });

  it('keeps only a safe class from a code block language label', () => {
    const div = render('```"><img src=x onerror=alert(1)>\nconst a = "<b>";\n```\n\n```ts\nlet b = 1;\n```');
    const codes = [...div.querySelectorAll('code')];
    expect(codes[0]!.className).toBe('');
    expect(codes[0]!.textContent).toBe('const a = "<b>";');
    expect(codes[1]!.className).toBe('language-ts');
    expect(div.querySelector('img')).toBeNull();
    expect([...div.querySelectorAll('*')].some((el) => [...el.attributes].some((a) => a.name.startsWith('on')))).toBe(
      false,
    );
  });
});
