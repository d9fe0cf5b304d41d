-- Profiles: the app's own copy of each Clerk user, plus the fields Clerk does not hold.
--
-- Design: Clerk-owned and user-owned fields share one row, keyed by the Clerk user id.
--   * Ownership is decided per column, not per table. Column grants let `authenticated`
--     update only bio, birthday, birthday_public and country; nobody but the service
--     role (through apply_clerk_event) writes the Clerk-owned columns or the bookkeeping.
--   * The webhook upsert names only Clerk-owned columns, so a sync never overwrites what
--     the user wrote, and a user edit never races a sync for the same column.
--   * The feed reads one row per user with no join, paginated on one index.
--   A side table keyed by the Clerk id would also work, but it would need a join on
--   every read and an extra insert path for users who edit before their first sync.
--
-- Read paths:
--   * public.public_profiles (a view) is the only way anon and other users read
--     profiles. A row policy admits whole rows, so a view is what limits the columns:
--     no email, no metadata, and the birthday only when the owner chose to show it.
--   * The owner reads all of their own row from public.profiles (row policy below).
--
-- Clock: every synced row remembers the event that last wrote it, as
-- (event_at, event_id). Writes are accepted only when they are newer in that order,
-- so delivery order and redelivery never change the result. See apply_clerk_event.

create table public.profiles (
  clerk_id text primary key check (char_length(clerk_id) between 1 and 128),

  -- Clerk-owned: written only by apply_clerk_event.
  username text,
  first_name text,
  last_name text,
  image_url text,
  email text,
  public_metadata jsonb not null default '{}'::jsonb,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,

  -- User-owned: written by the owner, never by a sync.
  bio text check (char_length(bio) <= 500),
  birthday date check (birthday >= date '1900-01-01' and birthday <= current_date),
  birthday_public boolean not null default false,
  country text references public.countries (code),

  -- Bookkeeping: written only by apply_clerk_event.
  event_at timestamptz not null,
  event_id text not null,
  synced_at timestamptz not null default now(),
  deleted_at timestamptz
);

comment on table public.profiles is 'One row per Clerk user. Clerk-owned columns are synced from webhooks; bio, birthday, birthday_public and country belong to the user.';
comment on column public.profiles.clerk_id is 'Clerk user id (user_...), the sub claim of the Clerk session token.';
comment on column public.profiles.email is 'Primary email: the entry whose id is primary_email_address_id. Private: visible to the owner only.';
comment on column public.profiles.public_metadata is 'Clerk public_metadata. Visible to the owner only; private_metadata is never stored.';
comment on column public.profiles.clerk_created_at is 'created_at from Clerk.';
comment on column public.profiles.clerk_updated_at is 'updated_at from Clerk.';
comment on column public.profiles.bio is 'Written by the owner. At most 500 characters.';
comment on column public.profiles.birthday is 'Written by the owner. Shown to others only when birthday_public is true.';
comment on column public.profiles.country is 'Written by the owner. ISO 3166-1 alpha-2 code.';
comment on column public.profiles.event_at is 'Event clock of the last applied Clerk event (envelope timestamp, else data.updated_at).';
comment on column public.profiles.event_id is 'Svix message id of the last applied event; breaks ties of event_at deterministically.';
comment on column public.profiles.deleted_at is 'Tombstone: set by user.deleted. The row stays so that later, older events stay stale.';

alter table public.profiles enable row level security;

-- Supabase grants everything on new public tables to anon and authenticated by
-- default; take it back and grant exactly what each role needs.
revoke all on table public.profiles from anon, authenticated;
grant select on table public.profiles to authenticated;
grant update (bio, birthday, birthday_public, country) on table public.profiles to authenticated;
grant all on table public.profiles to service_role;

create policy "Profiles are readable by their owner"
  on public.profiles for select
  to authenticated
  using (clerk_id = (select auth.jwt() ->> 'sub') and deleted_at is null);

create policy "Profiles are editable by their owner"
  on public.profiles for update
  to authenticated
  using (clerk_id = (select auth.jwt() ->> 'sub') and deleted_at is null)
  with check (clerk_id = (select auth.jwt() ->> 'sub') and deleted_at is null);

-- The public read path. It runs with its owner's rights (not the caller's), which is
-- what lets it show other users' rows while exposing only these columns.
-- security_barrier keeps caller-supplied filters from running before the
-- deleted_at filter.
create view public.public_profiles
  with (security_barrier = true)
as
select
  p.clerk_id,
  p.username,
  p.first_name,
  p.last_name,
  p.image_url,
  p.bio,
  p.country,
  case when p.birthday_public then p.birthday end as birthday,
  p.clerk_created_at as created_at
from public.profiles p
where p.deleted_at is null;

comment on view public.public_profiles is 'Public columns of profiles that are not deleted. The only read path for other users'' profiles.';

revoke all on table public.public_profiles from anon, authenticated;
grant select on table public.public_profiles to anon, authenticated, service_role;
