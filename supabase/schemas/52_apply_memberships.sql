-- The apply path of memberships, and how they end with their organization or user.
--
-- The same clock rule (45_apply_clock.sql: the newer event wins, deletes are terminal)
-- and tombstones as profiles (50_apply_profiles.sql). What is different is that a
-- membership belongs to two other objects that can be deleted. Deleting an
-- organization or a user counts, for each of its memberships, as a membership.deleted
-- with the deletion's clock (Clerk removes the memberships; it does not promise an
-- event for each):
--   * the deletion tombstones every membership of that organization or user (a live
--     one whatever its clock, a tombstone when the deletion is newer);
--   * a membership change of a deleted organization or user writes that tombstone
--     instead of itself, and is stale.
-- The deletion is read from the parent's own row: a tombstone is terminal, so the row
-- keeps the newest deletion's clock for good. Users and organizations are different
-- tables, so a user id can never stand for an organization's deletion or the reverse.
-- A member has at most one live membership per organization (Clerk gives a member who
-- is removed and added again a new membership id, and the delete of the old one may be
-- lost): the newest by Clerk's created_at, then id, of each organization and user
-- (private.membership_ranks). Every older one ends with that newest one's
-- (created_at, id) as its clock, and a unique index keeps two from ever being live.
-- So the final rows are the newest delete per membership, counting its parents'
-- deletes and its replacement by a newer membership, or else its newest change,
-- whatever order the events arrived in (tests/reliability/convergence.test.ts checks
-- it).
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

-- The newest deletion of the membership's organization or user: its clock, or no row.
create function private.parent_deletion(p_organization_id text, p_user_id text)
returns table (event_at timestamptz, event_id text)
language sql
stable
set search_path = ''
as $$
  select d.event_at, d.event_id
    from (
      select o.event_at, o.event_id from public.organizations o
       where o.clerk_id = p_organization_id and o.deleted_at is not null
      union all
      select p.event_at, p.event_id from public.profiles p
       where p.clerk_id = p_user_id and p.deleted_at is not null
    ) d
   order by d.event_at desc, d.event_id desc
   limit 1
$$;

-- In Clerk a user has at most one membership per organization: removed and added
-- again, they get a new membership id. So the newest membership (by Clerk's created_at,
-- then id) of an organization and user is the only one that can be live; every older
-- one has ended, even when its delete was lost. Recorded here from every membership
-- change, applied or not, so the answer never depends on the order of arrival.
create table private.membership_ranks (
  organization_id text not null,
  user_id text not null,
  membership_id text not null,
  created_at timestamptz not null,
  primary key (organization_id, user_id)
);

comment on table private.membership_ranks is 'The newest membership (Clerk created_at, then id) of each organization and user: the only one that may be live.';

revoke all on table private.membership_ranks from public, anon, authenticated;

-- Records a membership of an organization and user, and returns the newest one known
-- (perhaps this one). Its row lock serializes the changes of one organization and user,
-- so two memberships of the same member never both become live.
create function private.newest_membership(
  p_organization_id text, p_user_id text, p_membership_id text, p_created_at timestamptz
)
returns table (membership_id text, created_at timestamptz)
language sql
set search_path = ''
as $$
  insert into private.membership_ranks as r (organization_id, user_id, membership_id, created_at)
  values (p_organization_id, p_user_id, p_membership_id, p_created_at)
  on conflict (organization_id, user_id) do update
    set membership_id = excluded.membership_id, created_at = excluded.created_at
    where (r.created_at, r.membership_id) < (excluded.created_at, excluded.membership_id)
  ;
  select r.membership_id, r.created_at
    from private.membership_ranks r
   where r.organization_id = p_organization_id and r.user_id = p_user_id;
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
  v_newest record;
  v_deletion record;
  v_parent_deleted boolean;
begin
  if not p_tombstone then
    perform pg_catalog.pg_advisory_xact_lock_shared(private.clerk_lock_key(v_new.organization_id));
    perform pg_catalog.pg_advisory_xact_lock_shared(private.clerk_lock_key(v_new.user_id));
    select * into v_newest
      from private.newest_membership(v_new.organization_id, v_new.user_id, v_new.clerk_id,
                                     coalesce(v_new.clerk_created_at, '-infinity'));
    if v_newest.membership_id = v_new.clerk_id then
      -- The member's newest membership: every older one has ended.
      perform private.write_membership(to_jsonb(m), true, v_newest.created_at, v_newest.membership_id)
         from (select o.clerk_id, o.organization_id, o.user_id
                 from public.organization_memberships o
                where o.organization_id = v_new.organization_id and o.user_id = v_new.user_id
                  and o.clerk_id <> v_new.clerk_id
                  and private.event_wins(o.deleted_at is not null, o.event_at, o.event_id,
                                         true, v_newest.created_at, v_newest.membership_id)) m;
    end if;
    select * into v_deletion from private.parent_deletion(v_new.organization_id, v_new.user_id);
    v_parent_deleted := found;
    if v_newest.membership_id <> v_new.clerk_id or v_parent_deleted then
      -- Ended by a newer membership of the same member, or with its organization or
      -- user: gone as of that, as it would be had this change arrived first.
      if v_parent_deleted then
        perform private.write_membership(p_row, true, v_deletion.event_at, v_deletion.event_id);
      end if;
      if v_newest.membership_id <> v_new.clerk_id then
        perform private.write_membership(p_row, true, v_newest.created_at, v_newest.membership_id);
      end if;
      return false;
    end if;
  else
    -- A membership older than its member's newest ended, at the latest, when the newest
    -- began: a tombstone takes that clock if it is later than its own.
    select r.created_at, r.membership_id into v_newest
      from private.membership_ranks r
     where r.organization_id = v_new.organization_id and r.user_id = v_new.user_id
       and r.membership_id <> v_new.clerk_id;
    if found and (p_event_at, p_event_id) < (v_newest.created_at, v_newest.membership_id) then
      p_event_at := v_newest.created_at;
      p_event_id := v_newest.membership_id;
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
  where private.event_wins(m.deleted_at is not null, m.event_at, m.event_id, p_tombstone, excluded.event_at, excluded.event_id);
  return found;
end;
$$;

-- Tombstones the memberships of a deleted organization or user, and says whether it
-- changed a row. Exactly one of p_organization_id and
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
       and private.event_wins(m.deleted_at is not null, m.event_at, m.event_id, true, p_event_at, p_event_id)
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
  private.parent_deletion(text, text),
  private.newest_membership(text, text, text, timestamptz),
  private.write_membership(jsonb, boolean, timestamptz, text),
  private.tombstone_memberships_of(text, text, timestamptz, text)
from public, anon, authenticated;
