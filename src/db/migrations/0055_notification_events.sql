-- What the governance detectors and the operator alert rules decided to tell (src/notify,
-- src/alerts). One row per fact, keyed by the event's stable key: a detector that sees the same
-- fact again (a re-run, a second process) inserts nothing and hands nothing to the delivery sink.
create table notification_events (
  id bigserial primary key,
  key text not null,
  kind text not null,
  dao_id integer references daos (id) on delete cascade,
  title text not null,
  body text not null,
  url text,
  severity text not null check (severity in ('info', 'warning', 'critical', 'resolved')),
  facts jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null,
  created_at timestamptz not null default now()
);
create unique index notification_events_key on notification_events (key);
create index notification_events_dao_idx on notification_events (dao_id, occurred_at);

-- Addresses (delegates) whose missing vote on an active proposal is worth telling, per DAO.
create table watched_addresses (
  dao_id integer not null references daos (id) on delete cascade,
  address text not null,
  label text,
  created_at timestamptz not null default now(),
  primary key (dao_id, address)
);

-- Operator alert state per (rule, subject): the state machine of src/alerts/state.ts, kept so a
-- restart neither repeats nor forgets an alert, and GET /api/v1/alerts lists them.
create table operator_alerts (
  rule text not null,
  subject text not null,
  -- 'ok' once resolved; 'warning' or 'critical' while firing.
  level text not null check (level in ('ok', 'warning', 'critical')),
  -- Counts the times it started firing: the events of one episode share it in their keys.
  episode integer not null default 1,
  -- Messages sent in this episode (with the episode, it makes each message's key unique).
  notices integer not null default 0,
  summary text not null,
  facts jsonb not null default '{}'::jsonb,
  started_at timestamptz not null,
  changed_at timestamptz not null,
  resolved_at timestamptz,
  -- The level the last message told, and when (the cool-down runs from it).
  notified_level text check (notified_level in ('ok', 'warning', 'critical')),
  notified_at timestamptz,
  primary key (rule, subject)
);
create index operator_alerts_level_idx on operator_alerts (level, changed_at);
