import { type FormEvent, type ReactNode, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useChangePassword, useConfirmTotp, useDisableTotp, useStartTotp } from '../api/account.ts';
import type { Me } from '../api/types.ts';
import { RequireSignIn } from '../components/Account.tsx';
import { Badge, Button, Card, CopyButton, FormMessage, inputClass, labelClass, PageHeader } from '../components/ui.tsx';
import { formatDate } from '../lib/format.ts';

/** The server's minimum (src/auth/passwords.ts); it also refuses common passwords, and says so. */
const MIN_PASSWORD = 10;

function Profile({ me }: { me: Me }) {
  const rows: [string, ReactNode][] = [
    ['Email', me.user.email],
    ['Name', me.user.display_name || '—'],
    ['Role', <Badge key="role">{me.user.role}</Badge>],
    ['Two-factor sign-in', me.user.two_factor ? 'On' : 'Off'],
    ['Last sign-in', formatDate(me.user.last_login_at, true)],
    ['Account created', formatDate(me.user.created_at)],
    ['This session ends by', formatDate(me.session_expires_at, true)],
  ];
  return (
    <Card title="Profile">
      <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-muted">{label}</dt>
            <dd className="min-w-0 break-words">{value}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-4 text-xs text-muted">
        {me.user.role === 'viewer'
          ? 'Viewers read; an admin can make you an editor to add DAOs.'
          : me.user.role === 'editor'
            ? 'Editors add and change DAOs, import and sync.'
            : 'Admins also manage users, every API key and the audit log.'}
      </p>
    </Card>
  );
}

function PasswordChange() {
  const change = useChangePassword();
  const navigate = useNavigate();
  const [values, setValues] = useState({ current: '', next: '', repeat: '' });
  const [problem, setProblem] = useState('');
  const field = (key: keyof typeof values) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const wrong = !values.current
      ? 'Enter your current password.'
      : [...values.next].length < MIN_PASSWORD
        ? `The new password needs at least ${MIN_PASSWORD} characters.`
        : values.next !== values.repeat
          ? 'The two new passwords differ.'
          : '';
    setProblem(wrong);
    if (wrong) return;
    change.mutate(
      { current_password: values.current, new_password: values.next },
      {
        onSuccess: () =>
          navigate('/signin?next=%2Faccount', {
            replace: true,
            state: { notice: 'Password changed, and every session ended: sign in with the new password.' },
          }),
      },
    );
  };
  return (
    <Card title="Password">
      <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Change password">
        {/* Lets password managers tie the new password to the account. */}
        <input type="text" autoComplete="username" hidden readOnly />
        <label className={labelClass}>
          Current password
          <input
            {...field('current')}
            type="password"
            autoComplete="current-password"
            className={`${inputClass} mt-1`}
          />
        </label>
        <label className={labelClass}>
          New password <span className="font-normal">(at least {MIN_PASSWORD} characters)</span>
          <input {...field('next')} type="password" autoComplete="new-password" className={`${inputClass} mt-1`} />
        </label>
        <label className={labelClass}>
          New password again
          <input {...field('repeat')} type="password" autoComplete="new-password" className={`${inputClass} mt-1`} />
        </label>
        <p className="text-xs text-muted">Changing it signs you out everywhere, here too.</p>
        <div>
          <Button type="submit" variant="primary" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </Button>
        </div>
        <FormMessage error={problem ? new Error(problem) : change.error} />
      </form>
    </Card>
  );
}

function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div className="grid gap-3" data-testid="recovery-codes">
      <p role="status" className="text-sm font-medium text-success">
        Two-factor sign-in is on.
      </p>
      <p className="rounded-lg border border-warning/40 bg-warning/10 px-3 py-2 text-sm">
        Save these recovery codes now, somewhere other than your phone: each one signs you in once in place of a code.
        They are not shown again.
      </p>
      <ol className="grid grid-cols-2 gap-x-4 gap-y-1 rounded-lg bg-subtle p-3 font-mono text-sm">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-3">
        <CopyButton text={codes.join('\n')} label="Copy the codes" />
        <Button variant="primary" onClick={onDone}>
          I have saved them
        </Button>
      </div>
    </div>
  );
}

function TwoFactor({ me }: { me: Me }) {
  const start = useStartTotp();
  const confirm = useConfirmTotp();
  const disable = useDisableTotp();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);

  if (codes) {
    return (
      <Card title="Two-factor sign-in">
        <RecoveryCodesPanel
          codes={codes}
          onDone={() => {
            setCodes(null);
            start.reset();
          }}
        />
      </Card>
    );
  }

  if (me.user.two_factor) {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      if (!password) return setProblem('Enter your password to turn two-factor sign-in off.');
      setProblem('');
      disable.mutate({ password }, { onSuccess: () => setPassword('') });
    };
    return (
      <Card title="Two-factor sign-in">
        <p className="mb-3 text-sm">
          <Badge tone="success">On</Badge> Signing in needs a code from your authenticator app (or a recovery code).
        </p>
        <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Turn off two-factor sign-in">
          <input type="text" autoComplete="username" hidden readOnly />
          <label className={labelClass}>
            Password
            <input
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className={`${inputClass} mt-1`}
            />
          </label>
          <div>
            <Button type="submit" disabled={disable.isPending}>
              {disable.isPending ? 'Turning off…' : 'Turn off two-factor sign-in'}
            </Button>
          </div>
          <FormMessage error={problem ? new Error(problem) : disable.error} />
        </form>
      </Card>
    );
  }

  const enrolment = start.data;
  if (enrolment) {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      const entered = code.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(entered)) return setProblem('Enter the 6-digit code your app shows now.');
      setProblem('');
      confirm.mutate({ code: entered }, { onSuccess: (data) => setCodes(data.recovery_codes) });
    };
    return (
      <Card title="Two-factor sign-in">
        <ol className="grid list-decimal gap-4 pl-5 text-sm">
          <li>
            Scan this code with an authenticator app (any TOTP app: Aegis, 1Password, Google Authenticator…):
            <img
              // The server's SVG as an image: it is never put into the page as markup.
              src={`data:image/svg+xml;utf8,${encodeURIComponent(enrolment.qr_svg)}`}
              alt="QR code of the two-factor secret"
              width={192}
              height={192}
              className="mt-2 rounded-lg bg-white p-2"
              data-testid="totp-qr"
            />
          </li>
          <li>
            Or type this secret into the app by hand:
            <div className="mt-1 flex flex-wrap items-center gap-2">
              <code className="rounded bg-subtle px-2 py-1 font-mono text-sm break-all" data-testid="totp-secret">
                {enrolment.secret}
              </code>
              <CopyButton text={enrolment.secret} />
            </div>
          </li>
          <li>
            <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Confirm two-factor sign-in">
              <label className={labelClass}>
                Then enter the code it shows
                <input
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={7}
                  placeholder="123456"
                  className={`${inputClass} mt-1 max-w-40 font-mono`}
                />
              </label>
              <div className="flex gap-2">
                <Button type="submit" variant="primary" disabled={confirm.isPending}>
                  {confirm.isPending ? 'Checking…' : 'Turn on'}
                </Button>
                <Button onClick={() => start.reset()}>Cancel</Button>
              </div>
              <FormMessage error={problem ? new Error(problem) : confirm.error} />
            </form>
          </li>
        </ol>
      </Card>
    );
  }

  return (
    <Card title="Two-factor sign-in">
      <p className="mb-3 text-sm">
        <Badge tone="viewer">Off</Badge> With it on, signing in also needs a code from an app on your phone, so a stolen
        password is not enough.
      </p>
      <Button variant="primary" onClick={() => start.mutate()} disabled={start.isPending}>
        {start.isPending ? 'Starting…' : 'Set up two-factor sign-in'}
      </Button>
      <div className="mt-3">
        <FormMessage error={start.error} success={disable.isSuccess && 'Two-factor sign-in is off.'} />
      </div>
    </Card>
  );
}

export default function Account() {
  return (
    <>
      <PageHeader title="Account" subtitle="Who you are signed in as, your password and two-factor sign-in" />
      <RequireSignIn what="your account">
        {(me) => (
          <div className="grid gap-4 lg:grid-cols-2">
            <div className="min-w-0 space-y-4">
              <Profile me={me} />
              <PasswordChange />
            </div>
            <div className="min-w-0">
              <TwoFactor me={me} />
            </div>
          </div>
        )}
      </RequireSignIn>
    </>
  );
}
