import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Link, NavLink, Outlet, ScrollRestoration } from 'react-router-dom';
import { isAdmin, useMe } from '../api/account.ts';
import { setTheme, type ThemeChoice, useTheme } from '../lib/theme.ts';
import { AccountMenu } from './Account.tsx';
import { SearchBox } from './SearchBox.tsx';
import { cx } from './ui.tsx';

const NAV: { to: string; label: string; end?: boolean }[] = [
  { to: '/', label: 'Overview', end: true },
  { to: '/daos', label: 'DAOs' },
  { to: '/compare', label: 'Compare' },
  { to: '/sources', label: 'Sources' },
];
/** Shown to admins only: the server refuses the operations page's data to anyone else anyway. */
const ADMIN_NAV: typeof NAV = [{ to: '/operations', label: 'Operations' }];

function useNav() {
  const { me } = useMe();
  return isAdmin(me) ? [...NAV, ...ADMIN_NAV] : NAV;
}

function ThemeMenu() {
  const { choice, dark } = useTheme();
  const options: { value: ThemeChoice; label: string }[] = [
    { value: 'light', label: 'Light' },
    { value: 'dark', label: 'Dark' },
    { value: 'system', label: 'System' },
  ];
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger asChild>
        <button
          type="button"
          aria-label={`Theme: ${choice}`}
          data-testid="theme-toggle"
          className="grid size-9 shrink-0 place-items-center rounded-lg border border-line bg-surface text-lg hover:bg-subtle"
        >
          <span aria-hidden="true">{dark ? '☾' : '☀'}</span>
        </button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={6}
          className="z-50 min-w-36 rounded-lg border border-line bg-surface p-1 text-sm text-text shadow-lg"
        >
          <DropdownMenu.RadioGroup value={choice} onValueChange={(v) => setTheme(v as ThemeChoice)}>
            {options.map((o) => (
              <DropdownMenu.RadioItem
                key={o.value}
                value={o.value}
                className="flex cursor-pointer items-center justify-between gap-3 rounded-md px-2 py-1.5 outline-none data-[highlighted]:bg-subtle"
              >
                {o.label}
                <DropdownMenu.ItemIndicator>✓</DropdownMenu.ItemIndicator>
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

export function Layout() {
  const nav = useNav();
  return (
    <div className="flex min-h-screen flex-col bg-bg text-text">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-surface focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-40 border-b border-line bg-surface/90 backdrop-blur">
        <div className="mx-auto flex max-w-7xl items-center gap-4 px-4 py-2.5 sm:px-6">
          <Link to="/" className="flex shrink-0 items-center gap-2 font-semibold tracking-tight">
            <span
              aria-hidden="true"
              className="grid size-7 place-items-center rounded-lg bg-accent text-sm font-bold text-white dark:text-bg"
            >
              D
            </span>
            {/* On the narrowest phones the search box and the account menu need the room; the logo stays. */}
            <span className="max-[420px]:sr-only">DAO Portal</span>
          </Link>
          <nav aria-label="Main" className="hidden gap-1 md:flex">
            {nav.map((n) => (
              <NavLink
                key={n.to}
                to={n.to}
                end={n.end}
                className={({ isActive }) =>
                  cx(
                    'rounded-lg px-3 py-1.5 text-sm font-medium',
                    isActive ? 'bg-subtle text-text' : 'text-muted hover:text-text',
                  )
                }
              >
                {n.label}
              </NavLink>
            ))}
          </nav>
          <div className="ml-auto flex min-w-0 flex-1 items-center justify-end gap-2">
            <SearchBox />
            <a href="/docs" className="hidden rounded-lg px-3 py-1.5 text-sm text-muted hover:text-text sm:inline">
              API
            </a>
            <ThemeMenu />
            <AccountMenu />
          </div>
        </div>
        <nav
          aria-label="Main (mobile)"
          className="flex gap-1 overflow-x-auto border-t border-line px-3 py-1.5 md:hidden"
        >
          {nav.map((n) => (
            <NavLink
              key={n.to}
              to={n.to}
              end={n.end}
              className={({ isActive }) =>
                cx(
                  'rounded-lg px-3 py-1 text-sm font-medium whitespace-nowrap',
                  isActive ? 'bg-subtle text-text' : 'text-muted',
                )
              }
            >
              {n.label}
            </NavLink>
          ))}
        </nav>
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
        <Outlet />
      </main>
      <footer className="border-t border-line bg-surface">
        <div className="mx-auto flex max-w-7xl flex-col gap-2 px-4 py-5 text-xs text-muted sm:px-6 md:flex-row md:items-center md:justify-between">
          <p>
            DAO Portal — open-source, self-hosted DAO analytics.{' '}
            <a className="underline" href="/docs">
              API docs
            </a>
          </p>
          <p data-testid="credits">
            Data:{' '}
            <a className="underline" href="https://github.com/Decentraland-DAO/transparency" rel="noopener noreferrer">
              Decentraland DAO transparency export
            </a>{' '}
            (Apache-2.0);{' '}
            <a
              className="underline"
              href="https://github.com/Research-Publications-and-Data/Tokenomics-As-Institutional_Design"
              rel="noopener noreferrer"
            >
              Tokenomics-As-Institutional_Design
            </a>{' '}
            by Zach Zukowski / Tokenization Systems (CC BY 4.0).
          </p>
        </div>
      </footer>
      <ScrollRestoration />
    </div>
  );
}
