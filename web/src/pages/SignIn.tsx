import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { useLogin, useMe } from '../api/account.ts';
import { ApiError } from '../api/client.ts';
import { Button, Card, FormMessage, inputClass, labelClass, PageHeader } from '../components/ui.tsx';
import { safeNext } from '../lib/url.ts';

export default function SignIn() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const { me } = useMe();
  const login = useLogin();
  const [values, setValues] = useState({ email: '', password: '', totp: '' });
  const [missing, setMissing] = useState('');
  const totpField = useRef<HTMLInputElement>(null);

  // The server asks for the code only once the password is right: that is when the field matters.
  useEffect(() => {
    if (login.error instanceof ApiError && /two-factor/.test(login.error.message)) totpField.current?.focus();
  }, [login.error]);

  const field = (key: keyof typeof values) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!values.email.trim() || !values.password) return setMissing('Enter your email and password.');
    setMissing('');
    const totp = values.totp.replace(/\s+/g, '');
    login.mutate(
      { email: values.email.trim(), password: values.password, ...(totp ? { totp } : {}) },
      { onSuccess: () => navigate(next, { replace: true }) },
    );
  };

  if (me && !login.isPending && !login.isSuccess) {
    return (
      <div className="mx-auto max-w-md">
        <PageHeader title="Sign in" />
        <Card>
          <p className="text-sm">
            You are signed in as <strong>{me.user.email}</strong>.{' '}
            <Link className="text-accent underline" to={next}>
              Continue
            </Link>
            , or sign out first (in the menu at the top) to use another account.
          </p>
        </Card>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-md">
      <PageHeader
        title="Sign in"
        subtitle="Editors and admins sign in to add and change data; reading needs no account"
      />
      <Card>
        <form onSubmit={submit} noValidate className="grid gap-4" aria-label="Sign in">
          {notice && (
            <p role="status" className="rounded-lg bg-success/10 px-3 py-2 text-sm text-success">
              {notice}
            </p>
          )}
          <label className={labelClass}>
            Email
            <input
              {...field('email')}
              type="email"
              autoComplete="username"
              className={`${inputClass} mt-1`}
              // biome-ignore lint/a11y/noAutofocus: the page exists for this field.
              autoFocus
            />
          </label>
          <label className={labelClass}>
            Password
            <input
              {...field('password')}
              type="password"
              autoComplete="current-password"
              className={`${inputClass} mt-1`}
            />
          </label>
          <label className={labelClass}>
            Two-factor code <span className="font-normal">(if two-factor sign-in is on)</span>
            <input
              {...field('totp')}
              ref={totpField}
              autoComplete="one-time-code"
              maxLength={20}
              className={`${inputClass} mt-1 font-mono`}
              placeholder="123456"
              aria-describedby="totp-help"
            />
            <span id="totp-help" className="mt-1 block font-normal">
              The 6-digit code of your authenticator app, or one of your recovery codes.
            </span>
          </label>
          <div>
            <Button type="submit" variant="primary" disabled={login.isPending}>
              {login.isPending ? 'Signing in…' : 'Sign in'}
            </Button>
          </div>
          <FormMessage error={missing ? new Error(missing) : login.error} />
        </form>
      </Card>
      <p className="mt-4 text-xs text-muted">
        No account? An admin creates one on the Users page, or on the server with{' '}
        <code>npx dao-portal user create</code>.
      </p>
    </div>
  );
}
