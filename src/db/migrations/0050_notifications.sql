-- Notification channels, subscriptions and the delivery outbox (README "Notifications").

-- Where a notification goes. A user's own channels have owner_user_id; operator channels (alerts
-- about the installation itself) have none: created by admins, or from ALERT_CHANNELS (origin 'env').
create table notification_channels (
  id serial primary key,
  owner_user_id integer references users (id) on delete cascade,
  operator boolean not null default false,
  origin text not null default 'api' check (origin in ('api', 'env')),
  name text not null,
  kind text not null check (kind in ('email', 'slack', 'discord', 'telegram', 'webhook')),
  -- The target with its secrets removed (a webhook URL's path and query, which carry its token, are
  -- in secret_sealed): what listings show.
  target_hint text not null,
  -- AES-256-GCM under SECRETS_KEY: JSON {target, secret}. Never returned by the API.
  secret_sealed text,
  secret_hint text,
  created_at timestamptz not null default now(),
  -- Deleted channels stay so their deliveries keep their history; their sealed secrets are erased.
  deleted_at timestamptz,
  check (operator = (owner_user_id is null))
);
create index notification_channels_owner_idx on notification_channels (owner_user_id) where deleted_at is null;
create unique index notification_channels_env_key on notification_channels (name) where origin = 'env' and deleted_at is null;

-- Who wants which kinds of events of which DAO on which channel.
create table notification_subscriptions (
  id serial primary key,
  user_id integer not null references users (id) on delete cascade,
  dao_id integer not null references daos (id) on delete cascade,
  channel_id integer not null references notification_channels (id) on delete cascade,
  events text[] not null check (cardinality(events) > 0),
  options jsonb not null default '{}',
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);
create index notification_subscriptions_match_idx on notification_subscriptions (dao_id) where deleted_at is null;
create index notification_subscriptions_user_idx on notification_subscriptions (user_id);

-- One row per (subscription or operator channel, event key): written in the transaction of the
-- event that caused it, delivered by the dispatcher. `target` is 's:<subscription id>' or
-- 'c:<channel id>', so the unique key holds for both and the same fact is never queued twice.
create table notification_outbox (
  id bigserial primary key,
  target text not null,
  event_key text not null,
  kind text not null,
  channel_id integer not null references notification_channels (id) on delete cascade,
  subscription_id integer references notification_subscriptions (id) on delete set null,
  -- Whose delivery this is (null: an operator alert, seen by admins).
  user_id integer references users (id) on delete cascade,
  dao_id integer references daos (id) on delete set null,
  event jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- The claim of the dispatcher sending it: a token, and when the claim lapses (its process died).
  claim_token text,
  claimed_until timestamptz,
  -- Sends whose outcome was never recorded (the sender died between sending and marking).
  unknown_outcomes integer not null default 0,
  last_status integer,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (target, event_key)
);
create index notification_outbox_due_idx on notification_outbox (next_attempt_at) where status in ('pending', 'sending');
create index notification_outbox_user_idx on notification_outbox (user_id, id);
