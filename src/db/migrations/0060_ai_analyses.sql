-- AI analyses (README "AI analysis"): results stored per (subject, provider, model, prompt
-- version, input hash) and reused; the jobs that produce them; usage per day, provider and DAO.

create table ai_analyses (
  id bigserial primary key,
  -- 'proposal' (a proposal summary) or 'dao-report'.
  subject_type text not null,
  subject_id bigint not null,
  dao_id integer references daos (id) on delete cascade,
  provider text not null,
  model text not null,
  prompt_version text not null,
  -- SHA-256 of the exact input the provider was given (text, reasons, prompt version).
  input_hash text not null,
  result jsonb not null,
  -- Why the router did not use its first choice, null when it did.
  fallback_reason text,
  input_tokens integer not null default 0,
  output_tokens integer not null default 0,
  cost_usd numeric not null default 0,
  created_at timestamptz not null default now()
);
create unique index ai_analyses_key on ai_analyses (subject_type, subject_id, provider, model, prompt_version, input_hash);
create index ai_analyses_subject_idx on ai_analyses (subject_type, subject_id, created_at desc, id desc);

create table ai_jobs (
  id bigserial primary key,
  subject_type text not null,
  subject_id bigint not null,
  -- 'queued', 'running', 'done' or 'failed'.
  status text not null default 'queued',
  priority text not null default 'balanced',
  provider text,
  analysis_id bigint references ai_analyses (id) on delete set null,
  error text,
  requested_by integer references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index ai_jobs_subject_idx on ai_jobs (subject_type, subject_id, id desc);

create table ai_usage (
  day date not null,
  provider text not null,
  model text not null,
  -- 0 for calls that belong to no DAO.
  dao_id integer not null default 0,
  calls integer not null default 0,
  errors integer not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cost_usd numeric not null default 0,
  primary key (day, provider, model, dao_id)
);
