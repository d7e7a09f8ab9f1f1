-- Accounts, sessions, API keys and the audit log (README "Accounts and access").

create table users (
  id serial primary key,
  email text not null,
  display_name text not null default '',
  role text not null check (role in ('admin', 'editor', 'viewer')),
  -- argon2id (PHC string): salt and parameters are inside it.
  password_hash text not null,
  -- Base32 TOTP secret once enrolment is confirmed; the pending one while it is not.
  totp_secret text,
  totp_pending text,
  -- SHA-256 hashes of the unused one-time recovery codes.
  recovery_codes text[] not null default '{}',
  disabled boolean not null default false,
  -- Set after too many failed logins within an hour; logins are refused until then.
  locked_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_login_at timestamptz
);
-- Emails are matched without regard to case.
create unique index users_email_key on users (lower(email));

-- One row per sign-in: the session token names it, so a session can be revoked before its
-- token expires (logout, logout-all, a disabled user).
create table sessions (
  id text primary key,
  user_id integer not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  -- The absolute end, whatever the activity.
  expires_at timestamptz not null,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
create index sessions_user_idx on sessions (user_id);

create table api_keys (
  id serial primary key,
  user_id integer not null references users (id) on delete cascade,
  name text not null,
  -- The first characters of the secret, shown in listings; the secret itself is never stored.
  prefix text not null,
  -- SHA-256 of the whole secret (random 32 bytes: a fast hash is enough).
  key_hash text not null,
  scopes text[] not null check (scopes <@ array['read', 'write'] and cardinality(scopes) > 0),
  -- Requests per minute allowed to this key when an admin raised it above the default.
  rate_limit_per_minute integer check (rate_limit_per_minute > 0),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);
create unique index api_keys_hash_key on api_keys (key_hash);
create index api_keys_user_idx on api_keys (user_id);

-- Append-only: who did what to which resource, from where, when.
create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_user_id integer,
  actor_key_id integer,
  -- The actor as shown (an email, "key <prefix>", or "anonymous"), kept even after the user is deleted.
  actor text not null,
  action text not null,
  resource text,
  outcome text not null check (outcome in ('success', 'failure')),
  ip text,
  user_agent text,
  details jsonb not null default '{}'
);
create index audit_log_at_idx on audit_log (at, id);
create index audit_log_actor_idx on audit_log (actor_user_id, at);
create index audit_log_action_idx on audit_log (action, at);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();

-- Secrets the installation generates for itself (the session signing key when JWT_SECRET is
-- unset outside production), shared by every process using this database.
create table app_secrets (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
