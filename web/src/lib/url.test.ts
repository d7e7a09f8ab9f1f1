import { describe, expect, it } from 'vitest';
import { safeNext, signInPath } from './url.ts';

describe('where sign-in returns to', () => {
  it('is a path on this site, never another site or the sign-in page', () => {
    expect(safeNext('/daos/ens?tab=voters')).toBe('/daos/ens?tab=voters');
    for (const bad of [null, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)'])
      expect(safeNext(bad)).toBe('/');
    expect(safeNext('/signin?next=/keys')).toBe('/');
  });

  it('is carried in the sign-in link', () => {
    expect(signInPath('/sources')).toBe('/signin?next=%2Fsources');
    expect(signInPath('/')).toBe('/signin');
    expect(safeNext(new URLSearchParams(signInPath('/keys?x=1').split('?')[1]).get('next'))).toBe('/keys?x=1');
  });
});
