import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * Page state kept in the query string, so every view is a shareable link. Setting a value to its
 * default (or empty) removes it from the URL; other parameters are kept.
 */
export function useUrlState<T extends Record<string, string>>(defaults: T) {
  const [params, setParams] = useSearchParams();
  const state = Object.fromEntries(Object.entries(defaults).map(([k, d]) => [k, params.get(k) ?? d])) as T;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `defaults` is a literal at each call site: only setParams identifies the setter.
  const set = useCallback(
    (patch: Partial<T>, options: { replace?: boolean } = {}) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(patch)) {
            if (value === undefined || value === '' || value === defaults[key]) next.delete(key);
            else next.set(key, value as string);
          }
          return next;
        },
        { replace: options.replace ?? false },
      );
    },
    [setParams],
  );
  return [state, set] as const;
}

/**
 * Where to go after signing in: a path on this site only (`//evil.example` and `/\evil.example`
 * are other sites to a browser), never the sign-in page itself.
 */
export function safeNext(raw: string | null | undefined): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (raw === '/signin' || raw.startsWith('/signin?')) return '/';
  return raw;
}

/** The sign-in page's address, returning to `path` (the current page) afterwards. */
export const signInPath = (path: string) => (path === '/' ? '/signin' : `/signin?next=${encodeURIComponent(path)}`);
