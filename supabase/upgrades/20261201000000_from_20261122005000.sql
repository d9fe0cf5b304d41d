-- Upgrades a database that applied the 15 development migrations (20261122000100 to
-- 20261122005000, as of commit f934772) to the baseline 20261201000000: the two differ only in
-- the apply functions, which the baseline writes once per entity (write_profile,
-- write_organization, write_membership).
--
-- Generated, not written: supabase db diff --from <a database built from those 15 migrations>
-- --to <a database built from supabase/schemas at the baseline>; applying it makes the two
-- catalogs equal (scripts/schema/catalog.ts). How to use it: docs/schema.md.

SET local check_function_bodies = off;

DROP FUNCTION "private"."tombstone_membership"(jsonb, timestamp WITH time zone, text);

DROP FUNCTION "private"."tombstone_profile"(text, timestamp WITH time zone, text);

DROP FUNCTION "private"."upsert_membership"(jsonb, timestamp WITH time zone, text);

DROP FUNCTION "private"."upsert_organization"(jsonb, timestamp WITH time zone, text);

DROP FUNCTION "private"."upsert_profile"(jsonb, timestamp WITH time zone, text);

CREATE OR REPLACE FUNCTION private.apply_change (
  p_change   jsonb,
  p_event_at timestamp with time zone,
  p_event_id text
)
  RETURNS boolean
  LANGUAGE plpgsql
  SET search_path TO ''
  AS $function$
declare
  v_target text := (p_change ->> 'table') || '.' || (p_change ->> 'op');
  v_row jsonb := p_change -> 'row';
begin
  case v_target
    when 'profiles.upsert' then
      return private.write_profile(v_row, false, p_event_at, p_event_id);
    when 'profiles.tombstone' then
      return private.tombstone_user(v_row ->> 'clerk_id', p_event_at, p_event_id);
    when 'organizations.upsert' then
      return private.write_organization(v_row, false, p_event_at, p_event_id);
    when 'organizations.tombstone' then
      return private.tombstone_organization(v_row ->> 'clerk_id', p_event_at, p_event_id);
    when 'organization_memberships.upsert' then
      return private.write_membership(v_row, false, p_event_at, p_event_id);
    when 'organization_memberships.tombstone' then
      return private.write_membership(v_row, true, p_event_at, p_event_id);
    else
      raise exception 'apply_clerk_event: unknown change %', v_target using errcode = '22023';
  end case;
end;
$function$;

CREATE OR REPLACE FUNCTION private.tombstone_memberships_of (
  p_organization_id text,
  p_user_id         text,
  p_event_at        timestamp with time zone,
  p_event_id        text
)
  RETURNS boolean
  LANGUAGE plpgsql
  SET search_path TO ''
  AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION private.tombstone_organization (
  p_clerk_id text,
  p_event_at timestamp with time zone,
  p_event_id text
)
  RETURNS boolean
  LANGUAGE plpgsql
  SET search_path TO ''
  AS $function$
declare
  v_organization boolean;
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  perform private.record_deletion(p_clerk_id, p_event_at, p_event_id);
  v_organization := private.write_organization(jsonb_build_object('clerk_id', p_clerk_id), true, p_event_at, p_event_id);
  return private.tombstone_memberships_of(p_clerk_id, null, p_event_at, p_event_id) or v_organization;
end;
$function$;

CREATE OR REPLACE FUNCTION private.tombstone_user (
  p_clerk_id text,
  p_event_at timestamp with time zone,
  p_event_id text
)
  RETURNS boolean
  LANGUAGE plpgsql
  SET search_path TO ''
  AS $function$
declare
  v_profile boolean;
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  perform private.record_deletion(p_clerk_id, p_event_at, p_event_id);
  v_profile := private.write_profile(jsonb_build_object('clerk_id', p_clerk_id), true, p_event_at, p_event_id);
  return private.tombstone_memberships_of(null, p_clerk_id, p_event_at, p_event_id) or v_profile;
end;
$function$;

CREATE OR REPLACE FUNCTION private.write_membership (
  p_row       jsonb,
  p_tombstone boolean,
  p_event_at  timestamp with time zone,
  p_event_id  text
)
  RETURNS boolean
  LANGUAGE plpgsql
  SET search_path TO ''
  AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION private.write_organization (
  p_row       jsonb,
  p_tombstone boolean,
  p_event_at  timestamp with time zone,
  p_event_id  text
)
  RETURNS boolean
  LANGUAGE plpgsql
  SET search_path TO ''
  AS $function$
declare
  -- Clerk's fields come from the event, or, for a tombstone, from nothing.
  v_new public.organizations := jsonb_populate_record(
    null::public.organizations,
    case when p_tombstone then jsonb_build_object('clerk_id', p_row ->> 'clerk_id') else p_row end
  );
begin
  if exists (
    select 1 from public.organizations o
     where o.clerk_id = v_new.clerk_id
       and (o.event_at, o.event_id) >= (p_event_at, p_event_id)
  ) then
    return false;
  end if;

  v_new.public_metadata := coalesce(v_new.public_metadata, '{}'::jsonb);
  v_new.event_at := p_event_at;
  v_new.event_id := p_event_id;
  v_new.synced_at := now();
  v_new.deleted_at := case when p_tombstone then p_event_at end;

  insert into public.organizations as o
  select v_new.*
  on conflict (clerk_id) do update set
    (name, slug, image_url, public_metadata, created_by, clerk_created_at, clerk_updated_at)
      = (excluded.name, excluded.slug, excluded.image_url, excluded.public_metadata, excluded.created_by,
         excluded.clerk_created_at, excluded.clerk_updated_at),
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
  where (o.event_at, o.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$function$;

CREATE OR REPLACE FUNCTION private.write_profile (
  p_row       jsonb,
  p_tombstone boolean,
  p_event_at  timestamp with time zone,
  p_event_id  text
)
  RETURNS boolean
  LANGUAGE plpgsql
  SET search_path TO ''
  AS $function$
declare
  -- Clerk's fields come from the event, or, for a tombstone, from nothing.
  v_new public.profiles := jsonb_populate_record(
    null::public.profiles,
    case when p_tombstone then jsonb_build_object('clerk_id', p_row ->> 'clerk_id') else p_row end
  );
begin
  if exists (
    select 1 from public.profiles p
     where p.clerk_id = v_new.clerk_id
       and (p.event_at, p.event_id) >= (p_event_at, p_event_id)
  ) then
    return false;
  end if;

  v_new.public_metadata := coalesce(v_new.public_metadata, '{}'::jsonb);
  -- The user's own fields never come from an event: a new row starts without them.
  v_new.bio := null;
  v_new.birthday := null;
  v_new.birthday_public := false;
  v_new.country := null;
  v_new.event_at := p_event_at;
  v_new.event_id := p_event_id;
  v_new.synced_at := now();
  v_new.deleted_at := case when p_tombstone then p_event_at end;

  insert into public.profiles as p
  select v_new.*
  on conflict (clerk_id) do update set
    (username, first_name, last_name, image_url, email, public_metadata, clerk_created_at, clerk_updated_at)
      = (excluded.username, excluded.first_name, excluded.last_name, excluded.image_url, excluded.email,
         excluded.public_metadata, excluded.clerk_created_at, excluded.clerk_updated_at),
    -- A tombstone forgets the user's own fields too; an upsert never touches them.
    bio = case when p_tombstone then null else p.bio end,
    birthday = case when p_tombstone then null else p.birthday end,
    birthday_public = case when p_tombstone then false else p.birthday_public end,
    country = case when p_tombstone then null else p.country end,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
  where (p.event_at, p.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$function$;

REVOKE ALL ON FUNCTION "private"."write_membership"(jsonb, boolean, timestamp WITH time zone, text) FROM PUBLIC;

REVOKE ALL ON FUNCTION "private"."write_organization"(jsonb, boolean, timestamp WITH time zone, text) FROM PUBLIC;

REVOKE ALL ON FUNCTION "private"."write_profile"(jsonb, boolean, timestamp WITH time zone, text) FROM PUBLIC;
