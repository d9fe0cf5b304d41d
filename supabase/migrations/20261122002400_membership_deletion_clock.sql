-- Memberships end the same whatever the order, even when a deleted user or
-- organization is brought back.
--
-- 20261122002100 treats the deletion of an organization or user as a
-- membership.deleted, for each of its memberships, with the deletion's clock. It read
-- that clock from the parent's row, which forgets it once a newer event makes the row
-- live again, and it cascaded only when the parent's own tombstone applied. So a
-- membership event older than the deletion was stale in one delivery order and applied
-- in another (found by tests/reliability/convergence.test.ts). Clerk never sends events
-- for an object after deleting it, but a tie of equal milliseconds or a replay can.
--
-- Now every deletion of an organization or user is kept apart, newest per id, in
-- private.clerk_deletions, and always cascades to the memberships older than it,
-- whether or not the parent's row took the tombstone. The outcome is 'applied' when the
-- parent's row or any membership changed.

create table private.clerk_deletions (
  clerk_id text primary key,
  event_at timestamptz not null,
  event_id text not null
);

comment on table private.clerk_deletions is 'Newest deletion (event clock) of each Clerk organization and user: what their memberships are measured against, even after the parent row is live again.';

revoke all on table private.clerk_deletions from public, anon, authenticated;

insert into private.clerk_deletions (clerk_id, event_at, event_id)
select clerk_id, event_at, event_id from public.organizations where deleted_at is not null
union all
select clerk_id, event_at, event_id from public.profiles where deleted_at is not null;

-- Keeps the newest deletion of a Clerk id.
create function private.record_deletion(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns void
language sql
set search_path = ''
as $$
  insert into private.clerk_deletions as d (clerk_id, event_at, event_id)
  values (p_clerk_id, p_event_at, p_event_id)
  on conflict (clerk_id) do update set event_at = excluded.event_at, event_id = excluded.event_id
  where (d.event_at, d.event_id) < (excluded.event_at, excluded.event_id)
$$;

-- Now says whether it changed a row.
drop function private.tombstone_memberships_of(text, text, timestamptz, text);

create function private.tombstone_memberships_of(
  p_organization_id text, p_user_id text, p_event_at timestamptz, p_event_id text
)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  update public.organization_memberships m set
    role = null,
    permissions = '{}',
    public_metadata = '{}'::jsonb,
    first_name = null,
    last_name = null,
    image_url = null,
    clerk_created_at = null,
    clerk_updated_at = null,
    event_at = p_event_at,
    event_id = p_event_id,
    synced_at = now(),
    deleted_at = p_event_at
  where (m.organization_id = p_organization_id or m.user_id = p_user_id)
    and (m.event_at, m.event_id) < (p_event_at, p_event_id);
  return found;
end;
$$;

create or replace function private.tombstone_organization(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_organization boolean;
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  perform private.record_deletion(p_clerk_id, p_event_at, p_event_id);
  insert into public.organizations as o (clerk_id, event_at, event_id, synced_at, deleted_at)
  values (p_clerk_id, p_event_at, p_event_id, now(), p_event_at)
  on conflict (clerk_id) do update set
    name = null,
    slug = null,
    image_url = null,
    public_metadata = '{}'::jsonb,
    created_by = null,
    clerk_created_at = null,
    clerk_updated_at = null,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
  where (o.event_at, o.event_id) < (excluded.event_at, excluded.event_id);
  v_organization := found;
  return private.tombstone_memberships_of(p_clerk_id, null, p_event_at, p_event_id) or v_organization;
end;
$$;

create or replace function private.tombstone_user(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_profile boolean;
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  perform private.record_deletion(p_clerk_id, p_event_at, p_event_id);
  v_profile := private.tombstone_profile(p_clerk_id, p_event_at, p_event_id);
  return private.tombstone_memberships_of(null, p_clerk_id, p_event_at, p_event_id) or v_profile;
end;
$$;

create or replace function private.newer_parent_deletion(
  p_organization_id text, p_user_id text, p_event_at timestamptz, p_event_id text
)
returns table (event_at timestamptz, event_id text)
language sql
stable
set search_path = ''
as $$
  select d.event_at, d.event_id
    from private.clerk_deletions d
   where d.clerk_id in (p_organization_id, p_user_id)
     and (d.event_at, d.event_id) > (p_event_at, p_event_id)
   order by d.event_at desc, d.event_id desc
   limit 1
$$;

revoke all on function
  private.record_deletion(text, timestamptz, text),
  private.tombstone_memberships_of(text, text, timestamptz, text),
  private.tombstone_organization(text, timestamptz, text),
  private.tombstone_user(text, timestamptz, text),
  private.newer_parent_deletion(text, text, timestamptz, text)
from public, anon, authenticated;
