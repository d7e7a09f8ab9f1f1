import { useEffect, useState, useSyncExternalStore } from 'react';

export type ThemeChoice = 'light' | 'dark' | 'system';
const KEY = 'dao-portal-theme';
const listeners = new Set<() => void>();

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

function systemDark() {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export function resolvedTheme(choice = stored()): 'light' | 'dark' {
  return choice === 'system' ? (systemDark() ? 'dark' : 'light') : choice;
}

function apply() {
  document.documentElement.classList.toggle('dark', resolvedTheme() === 'dark');
  document.documentElement.style.colorScheme = resolvedTheme();
  for (const l of listeners) l();
}

/** Remembers an explicit choice; "system" forgets it and follows the operating system again. */
export function setTheme(choice: ThemeChoice) {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // private mode: the choice lasts for this page only
  }
  apply();
}

export function useTheme() {
  const choice = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    stored,
    () => 'system' as ThemeChoice,
  );
  const [dark, setDark] = useState(() => resolvedTheme(choice) === 'dark');
  useEffect(() => {
    setDark(resolvedTheme(choice) === 'dark');
    if (typeof matchMedia !== 'function') return;
    const media = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => {
      if (stored() === 'system') apply();
      setDark(resolvedTheme() === 'dark');
    };
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, [choice]);
  return { choice, dark };
}
