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
--
-- Sources: backfill and reconcile (`npm run clerk -- backfill|reconcile`) apply what
-- they read from Clerk's Backend API through the same apply_clerk_event, with message
-- ids `backfill:…` and `reconcile:…` (a Svix id is msg_… and never holds a colon).
-- Those rows are clocked by the object's updated_at, often months old, and arrive by
-- the thousand, so the webhook numbers of sync_health leave them out; `source` says
-- which is which.

create type public.clerk_event_outcome as enum ('applied', 'duplicate', 'stale', 'ignored', 'failed');

create table public.clerk_events (
  svix_id text primary key,
  type text not null,
  object_id text,
  instance_id text,
  event_at timestamptz not null,
  received_at timestamptz not null default now(),
  outcome public.clerk_event_outcome not null check (outcome <> 'duplicate'),
  attempts integer not null default 1,
  duplicates integer not null default 0,
  last_duplicate_at timestamptz,
  error text,
  payload jsonb,
  source text not null generated always as (
    case split_part(svix_id, ':', 1)
      when 'backfill' then 'backfill'
      when 'reconcile' then 'reconcile'
      else 'webhook'
    end
  ) stored
);

comment on table public.clerk_events is 'Ledger of Clerk webhook messages, keyed by Svix message id: what makes delivery exactly-once, and the audit trail. Service role only.';
comment on column public.clerk_events.svix_id is 'Svix message id (msg_…) of a webhook; backfill:<id>:<updated_at> or reconcile:<id>:gone:<ms> for changes read from Clerk''s Backend API.';
comment on column public.clerk_events.event_at is 'The event clock: envelope timestamp (ms), else data.updated_at. Not the delivery time.';
comment on column public.clerk_events.received_at is 'When this message was first received.';
comment on column public.clerk_events.attempts is 'How many times the message was processed; only failed messages are processed again.';
comment on column public.clerk_events.duplicates is 'Redeliveries of this message after it settled, each answered as a duplicate.';
comment on column public.clerk_events.error is 'SQLSTATE and message of the last failure; never the payload.';
comment on column public.clerk_events.payload is 'The verified event envelope, kept for audit and replay.';
comment on column public.clerk_events.source is 'webhook, backfill or reconcile: derived from the message id.';

create index clerk_events_received_at_idx on public.clerk_events (received_at);
create index clerk_events_failed_idx on public.clerk_events (received_at) where outcome = 'failed';
-- The last webhook and the webhook numbers of a window, without walking backfill rows.
create index clerk_events_webhook_received_at_idx on public.clerk_events (received_at) where source = 'webhook';

alter table public.clerk_events enable row level security;

-- No policies: only the service role (which bypasses RLS) may touch the ledger.
revoke all on table public.clerk_events from anon, authenticated;
grant all on table public.clerk_events to service_role;
