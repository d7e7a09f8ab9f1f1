import { describe, expect, it } from 'vitest';
import { isAllowedHost } from '../src/api/hosts.ts';

describe('Host check (DNS rebinding)', () => {
  it.each([
    ['127.0.0.1:8000', true],
    ['[::1]:8000', true],
    ['10.1.2.3', true],
    ['localhost:8000', true],
    ['app.localhost', true],
    ['portal.example.org', true],
    ['PORTAL.example.org.:443', true],
    ['a.internal.example', true],
    ['evil.example:8000', false],
    ['portal.example.org.evil.example', false],
    ['internal.example', false],
    [undefined, false],
  ])('%s → %s', (host, allowed) => {
    expect(isAllowedHost(host, ['portal.example.org', '*.internal.example'])).toBe(allowed);
  });
});
