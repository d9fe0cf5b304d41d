-- The event ledger: one row per Svix message, keyed by the Svix message id.
--
-- Svix delivers at least once and re-signs every retry with a fresh timestamp, but the
-- message id stays the same across retries and dashboard replays. Recording each id
-- before acknowledging it is what turns at-least-once delivery into exactly-once
-- application, and the rows double as the audit trail of everything Clerk sent.
--
-- Outcomes:
--   applied   the event changed a row
--   stale     an event with a newer clock had already been applied; nothing changed
--   ignored   an event type this sync does not store (recorded so nothing is lost)
--   failed    the event could not be stored (for example it breaks a constraint);
--             the payload is kept so it can be replayed once a fix is deployed
--   duplicate is never stored: a redelivery of a settled message is counted in
--             `duplicates` and answered with the outcome 'duplicate'.
--   discarded a failed event an admin gave up on (public.discard_failed_event in
--             80_health_admin.sql), because no fix can make it apply: it no longer
--             counts as failed for sync_health, and `discarded_by` / `discarded_at`
--             say who and when. A redelivery of it is a duplicate, as for any settled
--             message.
--
-- Sources: backfill and reconcile (`npm run clerk -- backfill|reconcile`) and the
-- on-demand pull of a signed-in user (clerk-sync-self) apply what they read from
-- Clerk's Backend API through the same apply_clerk_event, with message ids
-- `backfill:…`, `reconcile:…` and `pull:…` (a Svix id is msg_… and never holds a colon).
-- Those rows are clocked by the object's updated_at, often months old, and arrive by
-- the thousand, so the webhook numbers of sync_health leave them out; `source` says
-- which is which.

create type public.clerk_event_outcome as enum ('applied', 'duplicate', 'stale', 'ignored', 'failed', 'discarded');

create table public.clerk_events (
  svix_id text primary key,
  type text not null,
  object_id text,
  instance_id text,
  event_at timestamptz not null,
  clamped_from timestamptz,
  received_at timestamptz not null default now(),
  outcome public.clerk_event_outcome not null check (outcome <> 'duplicate'),
  attempts integer not null default 1,
  duplicates integer not null default 0,
  last_duplicate_at timestamptz,
  error text,
  payload jsonb,
  discarded_by text,
  discarded_at timestamptz,
  source text not null generated always as (
    case split_part(svix_id, ':', 1)
      when 'backfill' then 'backfill'
      when 'reconcile' then 'reconcile'
      when 'pull' then 'pull'
      else 'webhook'
    end
  ) stored
);

comment on table public.clerk_events is 'Ledger of Clerk webhook messages, keyed by Svix message id: what makes delivery exactly-once, and the audit trail. Service role only.';
comment on column public.clerk_events.svix_id is 'Svix message id (msg_…) of a webhook; backfill:<id>:<updated_at>, pull:<id>:<updated_at>, reconcile:<id>:gone:<ms> or pull:<id>:gone:<ms> for changes read from Clerk''s Backend API.';
comment on column public.clerk_events.event_at is 'The event clock: envelope timestamp (ms), else data.updated_at, at most 5 minutes ahead of received_at (see clamped_from). Not the delivery time.';
comment on column public.clerk_events.clamped_from is 'The clock the event claimed when it was more than 5 minutes ahead of received_at; event_at is then the time received. Null for every ordinary event.';
comment on column public.clerk_events.received_at is 'When this message was first received.';
comment on column public.clerk_events.attempts is 'How many times the message was processed; only failed messages are processed again.';
comment on column public.clerk_events.duplicates is 'Redeliveries of this message after it settled, each answered as a duplicate.';
comment on column public.clerk_events.error is 'SQLSTATE and message of the last failure; never the payload.';
comment on column public.clerk_events.payload is 'The verified event envelope, kept for audit and replay.';
comment on column public.clerk_events.discarded_by is 'Who discarded this failed event: the admin''s Clerk user id, or the operator (cli:<user>). Also in clerk_event_audit.';
comment on column public.clerk_events.discarded_at is 'When this failed event was discarded.';
comment on column public.clerk_events.source is 'webhook, backfill, reconcile or pull: derived from the message id.';

create index clerk_events_received_at_idx on public.clerk_events (received_at);
create index clerk_events_failed_idx on public.clerk_events (received_at) where outcome = 'failed';
-- The last webhook and the webhook numbers of a window, without walking backfill rows.
create index clerk_events_webhook_received_at_idx on public.clerk_events (received_at) where source = 'webhook';

alter table public.clerk_events enable row level security;

-- No policies: only the service role (which bypasses RLS) may touch the ledger.
revoke all on table public.clerk_events from anon, authenticated;
grant all on table public.clerk_events to service_role;

-- What admins and operators did to the ledger by hand, kept apart from it: retention
-- (90_retention.sql) deletes old ledger rows, but the record that someone gave up on an
-- event stays. Written only by the functions that do those things (today
-- discard_failed_event); nobody updates or deletes a row.
create table public.clerk_event_audit (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  action text not null check (action in ('discard')),
  svix_id text not null,
  actor text not null,
  reason text,
  detail jsonb not null default '{}'::jsonb
);

comment on table public.clerk_event_audit is 'Append-only record of manual actions on the ledger (discarding a failed event): who, when, why, and what the event was. Service role only.';
comment on column public.clerk_event_audit.actor is 'The admin''s Clerk user id, or the operator (cli:<user>).';
comment on column public.clerk_event_audit.detail is 'The event as it was: type, object id, attempts and its last error. Never its payload.';

create index clerk_event_audit_svix_id_idx on public.clerk_event_audit (svix_id);

alter table public.clerk_event_audit enable row level security;

-- No policies, and no writes but the definer functions': the service role may read it,
-- and nobody through the API may change what it says happened.
revoke all on table public.clerk_event_audit from anon, authenticated, service_role;
grant select on table public.clerk_event_audit to service_role;
