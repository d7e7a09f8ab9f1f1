import type { ColumnDef } from '@tanstack/react-table';
import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { useCreateUser, useSetUserPassword, useUpdateUser, useUsers } from '../api/account.ts';
import type { Me, Role, User } from '../api/types.ts';
import { RequireSignIn } from '../components/Account.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { DataTable } from '../components/DataTable.tsx';
import {
  Badge,
  Button,
  Card,
  ErrorState,
  FormMessage,
  fieldClass,
  inputClass,
  labelClass,
  PageHeader,
} from '../components/ui.tsx';
import { formatDate, formatRelative } from '../lib/format.ts';

const ROLES: { value: Role; label: string }[] = [
  { value: 'viewer', label: 'Viewer: reads' },
  { value: 'editor', label: 'Editor: adds and changes DAOs, imports, syncs' },
  { value: 'admin', label: 'Admin: also users, keys and the audit log' },
];
const MIN_PASSWORD = 10;

function CreateUser() {
  const create = useCreateUser();
  const [values, setValues] = useState({ email: '', display_name: '', role: 'viewer' as Role, password: '' });
  const [problem, setProblem] = useState('');
  const field = (key: keyof typeof values) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const wrong = !/^[^\s@]+@[^\s@]+$/.test(values.email.trim())
      ? 'Enter the email address they will sign in with.'
      : [...values.password].length < MIN_PASSWORD
        ? `The initial password needs at least ${MIN_PASSWORD} characters.`
        : '';
    setProblem(wrong);
    if (wrong) return;
    create.mutate(
      {
        email: values.email.trim(),
        role: values.role,
        password: values.password,
        ...(values.display_name.trim() ? { display_name: values.display_name.trim() } : {}),
      },
      { onSuccess: () => setValues({ email: '', display_name: '', role: values.role, password: '' }) },
    );
  };
  return (
    <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Create a user">
      <label className={labelClass}>
        Email
        <input {...field('email')} type="email" autoComplete="off" className={`${inputClass} mt-1`} />
      </label>
      <label className={labelClass}>
        Name <span className="font-normal">(optional)</span>
        <input {...field('display_name')} maxLength={200} autoComplete="off" className={`${inputClass} mt-1`} />
      </label>
      <label className={labelClass}>
        Role
        <select {...field('role')} className={`${inputClass} mt-1`}>
          {ROLES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <label className={labelClass}>
        Initial password <span className="font-normal">(at least {MIN_PASSWORD} characters)</span>
        <input {...field('password')} type="password" autoComplete="new-password" className={`${inputClass} mt-1`} />
      </label>
      <div>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create user'}
        </Button>
      </div>
      <FormMessage
        error={problem ? new Error(problem) : create.error}
        success={
          create.data &&
          `Created ${create.data.email}. Give them the password by a safe way; they can change it on their Account page.`
        }
      />
    </form>
  );
}

function UserState({ user }: { user: User }) {
  return <Badge tone={user.disabled ? 'disabled' : 'active'}>{user.disabled ? 'disabled' : 'active'}</Badge>;
}

function UserList({ me }: { me: Me }) {
  const users = useUsers(true);
  const update = useUpdateUser();
  const setPassword = useSetUserPassword();
  const [disabling, setDisabling] = useState<User | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [password, setPasswordText] = useState('');
  const [problem, setProblem] = useState('');

  // The mutation objects change every render; their functions do not.
  const { mutate: updateUser } = update;
  const { reset: resetPasswordForm } = setPassword;
  // Not for your own account: the server refuses an admin disabling themselves; a password change is on Account.
  const actions = useCallback(
    (user: User) =>
      user.id === me.user.id ? null : (
        <span className="inline-flex gap-2">
          {user.disabled ? (
            <Button onClick={() => updateUser({ id: user.id, change: { disabled: false } })}>Enable</Button>
          ) : (
            <Button onClick={() => setDisabling(user)}>Disable</Button>
          )}
          <Button
            onClick={() => {
              setPasswordText('');
              setProblem('');
              resetPasswordForm();
              setResetting(user);
            }}
          >
            Set password
          </Button>
        </span>
      ),
    [me.user.id, updateUser, resetPasswordForm],
  );
  const columns = useMemo<ColumnDef<User, unknown>[]>(
    () => [
      {
        id: 'user',
        header: 'User',
        cell: ({ row }) => (
          <div className="max-w-60">
            <div className="truncate font-medium">
              {row.original.email}
              {row.original.id === me.user.id && <span className="ml-1 text-xs font-normal text-muted">(you)</span>}
            </div>
            {row.original.display_name && (
              <div className="truncate text-xs text-muted">{row.original.display_name}</div>
            )}
            {/* On phones the state and the actions sit here instead of in columns off to the right. */}
            <div className="mt-1 flex flex-wrap items-center gap-2 sm:hidden">
              <UserState user={row.original} />
              {actions(row.original)}
            </div>
          </div>
        ),
      },
      {
        id: 'role',
        header: 'Role',
        cell: ({ row }) =>
          // Admins cannot demote themselves (the server refuses): another admin has to.
          row.original.id === me.user.id ? (
            <Badge>{row.original.role}</Badge>
          ) : (
            <select
              value={row.original.role}
              aria-label={`Role of ${row.original.email}`}
              onChange={(e) => updateUser({ id: row.original.id, change: { role: e.target.value as Role } })}
              className={`${fieldClass} py-1`}
            >
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.value}
                </option>
              ))}
            </select>
          ),
      },
      {
        id: 'two_factor',
        header: 'Two-factor',
        meta: { className: 'hidden sm:table-cell' },
        cell: ({ row }) => (row.original.two_factor ? 'on' : 'off'),
      },
      {
        id: 'state',
        header: 'State',
        meta: { className: 'hidden sm:table-cell' },
        cell: ({ row }) => <UserState user={row.original} />,
      },
      {
        id: 'last_login',
        header: 'Last sign-in',
        meta: { className: 'hidden md:table-cell' },
        cell: ({ row }) =>
          row.original.last_login_at ? (
            <span title={formatDate(row.original.last_login_at, true)}>
              {formatRelative(row.original.last_login_at)}
            </span>
          ) : (
            'never'
          ),
      },
      {
        id: 'created',
        header: 'Created',
        meta: { className: 'hidden lg:table-cell' },
        cell: ({ row }) => <span className="whitespace-nowrap">{formatDate(row.original.created_at)}</span>,
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">Actions</span>,
        meta: { align: 'right', className: 'hidden sm:table-cell' },
        cell: ({ row }) => actions(row.original),
      },
    ],
    [me.user.id, updateUser, actions],
  );

  return (
    <>
      <FormMessage
        error={update.error}
        success={setPassword.isSuccess && resetting === null && 'Password set; their sessions were ended.'}
      />
      {users.isError ? (
        <ErrorState error={users.error} retry={() => void users.refetch()} what="users" />
      ) : (
        <DataTable caption="Users" data={users.data} columns={columns} rowKey={(u) => u.id} loading={users.isPending} />
      )}
      <ConfirmDialog
        open={disabling !== null}
        onOpenChange={(open) => !open && setDisabling(null)}
        title={`Disable ${disabling?.email ?? ''}?`}
        description="They are signed out everywhere at once and cannot sign in, and their API keys stop working, until an admin enables the account again."
        confirm="Disable"
        pending={update.isPending}
        onConfirm={() =>
          disabling &&
          update.mutate({ id: disabling.id, change: { disabled: true } }, { onSettled: () => setDisabling(null) })
        }
      />
      <ConfirmDialog
        open={resetting !== null}
        onOpenChange={(open) => !open && setResetting(null)}
        title={`Set a password for ${resetting?.email ?? ''}`}
        description="Their sessions end; give them the new password by a safe way."
        confirm="Set password"
        pending={setPassword.isPending}
        onConfirm={() => {
          if ([...password].length < MIN_PASSWORD) return setProblem(`At least ${MIN_PASSWORD} characters.`);
          setProblem('');
          if (resetting) setPassword.mutate({ id: resetting.id, password }, { onSuccess: () => setResetting(null) });
        }}
      >
        <label className={labelClass}>
          New password
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPasswordText(e.target.value)}
            className={`${inputClass} mt-1`}
          />
        </label>
        <div className="mt-2">
          <FormMessage error={problem ? new Error(problem) : setPassword.error} />
        </div>
      </ConfirmDialog>
    </>
  );
}

export default function Users() {
  return (
    <>
      <PageHeader title="Users" subtitle="Who may sign in, and with which role" />
      <RequireSignIn admin what="users">
        {(me) => (
          <div className="grid gap-4 lg:grid-cols-3">
            <Card title="Users" className="lg:col-span-2">
              <UserList me={me} />
            </Card>
            <Card title="Create a user">
              <CreateUser />
            </Card>
          </div>
        )}
      </RequireSignIn>
    </>
  );
}
