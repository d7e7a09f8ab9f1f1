import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { isAdmin, useLogout, useLogoutAll, useMe } from '../api/account.ts';
import type { Me } from '../api/types.ts';
import { signInPath } from '../lib/url.ts';
import { EmptyState, ErrorState, SkeletonRows } from './ui.tsx';

/** "Sign in", returning to this page afterwards. */
export function SignInLink({ children = 'Sign in', className }: { children?: ReactNode; className?: string }) {
  const location = useLocation();
  return (
    <Link to={signInPath(location.pathname + location.search)} className={className ?? 'text-accent underline'}>
      {children}
    </Link>
  );
}

/**
 * A page's content for signed-in users (admins only with `admin`); others are told what it needs.
 * The server refuses them anyway: this only spares them controls that cannot work.
 */
export function RequireSignIn({
  admin,
  what,
  children,
}: {
  admin?: boolean;
  what: string;
  children: (me: Me) => ReactNode;
}) {
  const { me, loading, error } = useMe();
  if (loading) return <SkeletonRows rows={6} />;
  if (!me && error) return <ErrorState error={error} what="your account" />;
  if (!me) {
    return (
      <EmptyState title={`Sign in to see ${what}`} icon="🔒">
        <SignInLink />
        {admin ? ' with an admin account.' : '.'}
      </EmptyState>
    );
  }
  if (admin && !isAdmin(me)) {
    return (
      <EmptyState title="Only admins can see this" icon="🔒">
        You are signed in as {me.user.email}, with the {me.user.role} role.
      </EmptyState>
    );
  }
  return <>{children(me)}</>;
}

const itemClass =
  'flex cursor-pointer items-center rounded-md px-2 py-1.5 outline-none data-[highlighted]:bg-subtle data-[disabled]:opacity-50';

/** The header's "Sign in", or the signed-in user's menu. */
export function AccountMenu() {
  const { me, loading } = useMe();
  const location = useLocation();
  const logout = useLogout();
  const logoutAll = useLogoutAll();
  // Same size as the trigger, so the header does not jump when the session is confirmed.
  if (loading) return <span aria-hidden="true" className="size-9 shrink-0" />;
  if (!me) {
    if (location.pathname === '/signin') return null;
    return (
      <SignInLink className="shrink-0 rounded-lg px-3 py-1.5 text-sm font-medium whitespace-nowrap text-accent hover:bg-subtle">
        Sign in
      </SignInLink>
    );
  }
  const email = me.user.email;
  const failed = logout.error ?? logoutAll.error;
  return (
    <>
      {failed && (
        <span role="alert" title={failed.message} className="shrink-0 text-xs text-danger">
          Sign-out failed
        </span>
      )}
      <DropdownMenu.Root>
        <DropdownMenu.Trigger asChild>
          <button
            type="button"
            aria-label={`Account menu of ${email}`}
            data-testid="account-menu"
            className="flex h-9 max-w-48 shrink-0 items-center gap-2 rounded-lg border border-line bg-surface px-2 text-sm hover:bg-subtle"
          >
            {/* The initial is drawn by CSS, not text: the button's visible text is then exactly the
                address its name contains (WCAG 2.5.3, label in name). */}
            <span
              aria-hidden="true"
              data-initial={email[0]}
              className="grid size-6 shrink-0 place-items-center rounded-full bg-accent/15 text-xs font-semibold text-accent uppercase before:content-[attr(data-initial)]"
            />
            {/* Phones show the initial only: the header has no room for an address. */}
            <span className="hidden truncate sm:inline">{email}</span>
          </button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content
            align="end"
            sideOffset={6}
            className="z-50 min-w-52 rounded-lg border border-line bg-surface p-1 text-sm text-text shadow-lg"
          >
            <DropdownMenu.Label className="px-2 py-1.5">
              <div className="truncate font-medium">{email}</div>
              <div className="text-xs text-muted capitalize">{me.user.role}</div>
            </DropdownMenu.Label>
            <DropdownMenu.Separator className="my-1 h-px bg-line" />
            <DropdownMenu.Item asChild className={itemClass}>
              <Link to="/account">Account</Link>
            </DropdownMenu.Item>
            <DropdownMenu.Item asChild className={itemClass}>
              <Link to="/keys">API keys</Link>
            </DropdownMenu.Item>
            <DropdownMenu.Item asChild className={itemClass}>
              <Link to="/notifications">Notifications</Link>
            </DropdownMenu.Item>
            {isAdmin(me) && (
              <>
                <DropdownMenu.Item asChild className={itemClass}>
                  <Link to="/users">Users</Link>
                </DropdownMenu.Item>
                <DropdownMenu.Item asChild className={itemClass}>
                  <Link to="/audit">Audit</Link>
                </DropdownMenu.Item>
                <DropdownMenu.Item asChild className={itemClass}>
                  <Link to="/operations">Operations</Link>
                </DropdownMenu.Item>
              </>
            )}
            <DropdownMenu.Separator className="my-1 h-px bg-line" />
            <DropdownMenu.Item className={itemClass} disabled={logout.isPending} onSelect={() => logout.mutate()}>
              Sign out
            </DropdownMenu.Item>
            <DropdownMenu.Item className={itemClass} disabled={logoutAll.isPending} onSelect={() => logoutAll.mutate()}>
              Sign out everywhere
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </>
  );
}
