-- The apply path of memberships, and how they end with their organization or user.
--
-- The same clock guard and tombstones as profiles (50_apply_profiles.sql). What is
-- different is that a membership belongs to two other objects that can be deleted.
-- Deleting an organization or a user counts, for each of its memberships, as a
-- membership.deleted with the deletion's clock (Clerk removes the memberships; it
-- does not promise an event for each):
--   * every deletion of an organization or user is kept, newest per id, in
--     private.clerk_deletions, apart from the parent's row, which forgets the clock
--     once a newer event makes it live again;
--   * the deletion tombstones every membership row of that organization or user whose
--     clock is older, whether or not the parent's own row took the tombstone;
--   * a membership change older than such a deletion writes that tombstone instead of
--     itself, and is stale.
-- So the final rows are the newest event per membership, whatever order the events
-- arrived in (tests/reliability/convergence.test.ts checks it).
--
-- A deletion and a membership change of the same organization or user must not commit
-- past each other unseen (the change checks for the deletion, the deletion updates
-- the rows it sees). A deletion takes an exclusive transaction-level advisory lock on
-- the parent's id, a membership change shared ones on both parents: membership
-- changes never wait for each other, and a deadlock needs two groups (see
-- apply_clerk_events) each deleting an organization the other changes a member of.
--
-- Memberships have no lock-free stale answer: their writes also depend on the parent
-- deletion clocks.
--
-- As for profiles, the upsert and the tombstone (of one membership, or of all those of
-- a deleted parent) are one statement, and the Clerk-owned columns are named once, in
-- the `set` of write_membership.

-- The advisory lock key of a Clerk organization or user id.
create function private.clerk_lock_key(p_clerk_id text)
returns bigint
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.hashtextextended('clerk:' || p_clerk_id, 0)
$$;

create table private.clerk_deletions (
  clerk_id text primary key,
  event_at timestamptz not null,
  event_id text not null
);

comment on table private.clerk_deletions is 'Newest deletion (event clock) of each Clerk organization and user: what their memberships are measured against, even after the parent row is live again.';

revoke all on table private.clerk_deletions from public, anon, authenticated;

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

-- The newest deletion of the membership's organization or user that is newer than
-- (p_event_at, p_event_id): its clock, or no row.
create function private.newer_parent_deletion(
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

-- organizationMembership.deleted carries the whole membership, so a tombstone that
-- arrives first still knows its organization and user.
create function private.write_membership(
  p_row jsonb, p_tombstone boolean, p_event_at timestamptz, p_event_id text
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  -- Clerk's fields come from the event, or, for a tombstone, from nothing but the keys.
  v_new public.organization_memberships := jsonb_populate_record(
    null::public.organization_memberships,
    case when p_tombstone
         then jsonb_build_object('clerk_id', p_row ->> 'clerk_id', 'organization_id', p_row ->> 'organization_id',
                                 'user_id', p_row ->> 'user_id')
         else p_row end
  );
  v_deletion record;
begin
  if not p_tombstone then
    perform pg_catalog.pg_advisory_xact_lock_shared(private.clerk_lock_key(v_new.organization_id));
    perform pg_catalog.pg_advisory_xact_lock_shared(private.clerk_lock_key(v_new.user_id));
    select * into v_deletion
      from private.newer_parent_deletion(v_new.organization_id, v_new.user_id, p_event_at, p_event_id);
    if found then
      -- The deletion of its organization or user is newer: the membership is gone as of
      -- that deletion, as it would be had this change arrived first.
      perform private.write_membership(p_row, true, v_deletion.event_at, v_deletion.event_id);
      return false;
    end if;
  end if;

  v_new.permissions := coalesce(v_new.permissions, '{}');
  v_new.public_metadata := coalesce(v_new.public_metadata, '{}'::jsonb);
  v_new.event_at := p_event_at;
  v_new.event_id := p_event_id;
  v_new.synced_at := now();
  v_new.deleted_at := case when p_tombstone then p_event_at end;

  insert into public.organization_memberships as m
  select v_new.*
  on conflict (clerk_id) do update set
    -- A tombstone keeps the organization and user the membership had.
    organization_id = case when p_tombstone then m.organization_id else excluded.organization_id end,
    user_id = case when p_tombstone then m.user_id else excluded.user_id end,
    (role, permissions, public_metadata, first_name, last_name, image_url, clerk_created_at, clerk_updated_at)
      = (excluded.role, excluded.permissions, excluded.public_metadata, excluded.first_name, excluded.last_name,
         excluded.image_url, excluded.clerk_created_at, excluded.clerk_updated_at),
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
  where (m.event_at, m.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$$;

-- Tombstones the memberships of a deleted organization or user that are older than the
-- deletion, and says whether it changed a row. Exactly one of p_organization_id and
-- p_user_id is given.
create function private.tombstone_memberships_of(
  p_organization_id text, p_user_id text, p_event_at timestamptz, p_event_id text
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_membership record;
  v_changed boolean := false;
begin
  for v_membership in
    select m.clerk_id, m.organization_id, m.user_id
      from public.organization_memberships m
     where (m.organization_id = p_organization_id or m.user_id = p_user_id)
       and (m.event_at, m.event_id) < (p_event_at, p_event_id)
  loop
    if private.write_membership(to_jsonb(v_membership), true, p_event_at, p_event_id) then
      v_changed := true;
    end if;
  end loop;
  return v_changed;
end;
$$;

revoke all on function
  private.clerk_lock_key(text),
  private.record_deletion(text, timestamptz, text),
  private.newer_parent_deletion(text, text, timestamptz, text),
  private.write_membership(jsonb, boolean, timestamptz, text),
  private.tombstone_memberships_of(text, text, timestamptz, text)
from public, anon, authenticated;
