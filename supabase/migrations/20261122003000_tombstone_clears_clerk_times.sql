-- A user's tombstone is the same row whatever order the events arrived in.
--
-- Found by the convergence property (tests/reliability/convergence.test.ts): the
-- tombstone cleared every Clerk-owned column except clerk_created_at and
-- clerk_updated_at. A user.deleted that arrived after user.created left them set; one
-- that arrived first (an insert) left them null. So the final row depended on the
-- delivery order. The tombstone now clears them too, as its comment always said.

create or replace function private.tombstone_profile(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  insert into public.profiles as p (clerk_id, event_at, event_id, synced_at, deleted_at)
  values (p_clerk_id, p_event_at, p_event_id, now(), p_event_at)
  on conflict (clerk_id) do update set
    username = null,
    first_name = null,
    last_name = null,
    image_url = null,
    email = null,
    public_metadata = '{}'::jsonb,
    clerk_created_at = null,
    clerk_updated_at = null,
    bio = null,
    birthday = null,
    birthday_public = false,
    country = null,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
  where (p.event_at, p.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$$;

revoke all on function private.tombstone_profile(text, timestamptz, text) from public, anon, authenticated;
