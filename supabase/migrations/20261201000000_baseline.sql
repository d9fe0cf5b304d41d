-- Baseline: the whole schema, generated from supabase/schemas by `npm run schema:baseline`.
-- Do not edit: change supabase/schemas and run `npm run schema:diff -- <name>` (docs/schema.md).

-- ==== supabase/schemas/00_private.sql

-- The private schema: what the API never exposes.
--
-- PostgREST serves only the schemas in supabase/config.toml ([api] schemas), so
-- nothing here is reachable over HTTP. It holds the apply path's helpers and the
-- functions that row policies call. Functions are executable by PUBLIC when created;
-- here they are executable by nobody unless their file grants it.

create schema if not exists private;
revoke all on schema private from public;

alter default privileges in schema private revoke execute on functions from public;

-- Row policies call private.current_user_organization_ids() as the signed-in user.
grant usage on schema private to authenticated;

-- ==== supabase/schemas/10_countries.sql

-- ISO 3166-1 alpha-2 countries, as reference data.
--
-- Why a table and not a regex: `^[A-Z]{2}$` accepts "ZZ" and "EU". A foreign key
-- from profiles.country to this list makes the database the single judge of a
-- valid country, and the dashboard's picker reads the same list, so the form
-- and the constraint can never disagree.

create table public.countries (
  code text primary key check (code ~ '^[A-Z]{2}$'),
  name text not null
);

comment on table public.countries is 'ISO 3166-1 alpha-2 country codes with English names; reference data for profiles.country.';
comment on column public.countries.code is 'Upper-case ISO 3166-1 alpha-2 code, e.g. SE.';

alter table public.countries enable row level security;

revoke all on table public.countries from anon, authenticated;
grant select on table public.countries to anon, authenticated;

create policy "Countries are readable by everyone"
  on public.countries for select
  to anon, authenticated
  using (true);

insert into public.countries (code, name) values
  ('AD', 'Andorra'),
  ('AE', 'United Arab Emirates'),
  ('AF', 'Afghanistan'),
  ('AG', 'Antigua & Barbuda'),
  ('AI', 'Anguilla'),
  ('AL', 'Albania'),
  ('AM', 'Armenia'),
  ('AO', 'Angola'),
  ('AQ', 'Antarctica'),
  ('AR', 'Argentina'),
  ('AS', 'American Samoa'),
  ('AT', 'Austria'),
  ('AU', 'Australia'),
  ('AW', 'Aruba'),
  ('AX', 'Åland Islands'),
  ('AZ', 'Azerbaijan'),
  ('BA', 'Bosnia & Herzegovina'),
  ('BB', 'Barbados'),
  ('BD', 'Bangladesh'),
  ('BE', 'Belgium'),
  ('BF', 'Burkina Faso'),
  ('BG', 'Bulgaria'),
  ('BH', 'Bahrain'),
  ('BI', 'Burundi'),
  ('BJ', 'Benin'),
  ('BL', 'St. Barthélemy'),
  ('BM', 'Bermuda'),
  ('BN', 'Brunei'),
  ('BO', 'Bolivia'),
  ('BQ', 'Caribbean Netherlands'),
  ('BR', 'Brazil'),
  ('BS', 'Bahamas'),
  ('BT', 'Bhutan'),
  ('BV', 'Bouvet Island'),
  ('BW', 'Botswana'),
  ('BY', 'Belarus'),
  ('BZ', 'Belize'),
  ('CA', 'Canada'),
  ('CC', 'Cocos (Keeling) Islands'),
  ('CD', 'Congo - Kinshasa'),
  ('CF', 'Central African Republic'),
  ('CG', 'Congo - Brazzaville'),
  ('CH', 'Switzerland'),
  ('CI', 'Côte d’Ivoire'),
  ('CK', 'Cook Islands'),
  ('CL', 'Chile'),
  ('CM', 'Cameroon'),
  ('CN', 'China'),
  ('CO', 'Colombia'),
  ('CR', 'Costa Rica'),
  ('CU', 'Cuba'),
  ('CV', 'Cape Verde'),
  ('CW', 'Curaçao'),
  ('CX', 'Christmas Island'),
  ('CY', 'Cyprus'),
  ('CZ', 'Czechia'),
  ('DE', 'Germany'),
  ('DJ', 'Djibouti'),
  ('DK', 'Denmark'),
  ('DM', 'Dominica'),
  ('DO', 'Dominican Republic'),
  ('DZ', 'Algeria'),
  ('EC', 'Ecuador'),
  ('EE', 'Estonia'),
  ('EG', 'Egypt'),
  ('EH', 'Western Sahara'),
  ('ER', 'Eritrea'),
  ('ES', 'Spain'),
  ('ET', 'Ethiopia'),
  ('FI', 'Finland'),
  ('FJ', 'Fiji'),
  ('FK', 'Falkland Islands'),
  ('FM', 'Micronesia'),
  ('FO', 'Faroe Islands'),
  ('FR', 'France'),
  ('GA', 'Gabon'),
  ('GB', 'United Kingdom'),
  ('GD', 'Grenada'),
  ('GE', 'Georgia'),
  ('GF', 'French Guiana'),
  ('GG', 'Guernsey'),
  ('GH', 'Ghana'),
  ('GI', 'Gibraltar'),
  ('GL', 'Greenland'),
  ('GM', 'Gambia'),
  ('GN', 'Guinea'),
  ('GP', 'Guadeloupe'),
  ('GQ', 'Equatorial Guinea'),
  ('GR', 'Greece'),
  ('GS', 'South Georgia & South Sandwich Islands'),
  ('GT', 'Guatemala'),
  ('GU', 'Guam'),
  ('GW', 'Guinea-Bissau'),
  ('GY', 'Guyana'),
  ('HK', 'Hong Kong SAR China'),
  ('HM', 'Heard & McDonald Islands'),
  ('HN', 'Honduras'),
  ('HR', 'Croatia'),
  ('HT', 'Haiti'),
  ('HU', 'Hungary'),
  ('ID', 'Indonesia'),
  ('IE', 'Ireland'),
  ('IL', 'Israel'),
  ('IM', 'Isle of Man'),
  ('IN', 'India'),
  ('IO', 'British Indian Ocean Territory'),
  ('IQ', 'Iraq'),
  ('IR', 'Iran'),
  ('IS', 'Iceland'),
  ('IT', 'Italy'),
  ('JE', 'Jersey'),
  ('JM', 'Jamaica'),
  ('JO', 'Jordan'),
  ('JP', 'Japan'),
  ('KE', 'Kenya'),
  ('KG', 'Kyrgyzstan'),
  ('KH', 'Cambodia'),
  ('KI', 'Kiribati'),
  ('KM', 'Comoros'),
  ('KN', 'St. Kitts & Nevis'),
  ('KP', 'North Korea'),
  ('KR', 'South Korea'),
  ('KW', 'Kuwait'),
  ('KY', 'Cayman Islands'),
  ('KZ', 'Kazakhstan'),
  ('LA', 'Laos'),
  ('LB', 'Lebanon'),
  ('LC', 'St. Lucia'),
  ('LI', 'Liechtenstein'),
  ('LK', 'Sri Lanka'),
  ('LR', 'Liberia'),
  ('LS', 'Lesotho'),
  ('LT', 'Lithuania'),
  ('LU', 'Luxembourg'),
  ('LV', 'Latvia'),
  ('LY', 'Libya'),
  ('MA', 'Morocco'),
  ('MC', 'Monaco'),
  ('MD', 'Moldova'),
  ('ME', 'Montenegro'),
  ('MF', 'St. Martin'),
  ('MG', 'Madagascar'),
  ('MH', 'Marshall Islands'),
  ('MK', 'North Macedonia'),
  ('ML', 'Mali'),
  ('MM', 'Myanmar (Burma)'),
  ('MN', 'Mongolia'),
  ('MO', 'Macao SAR China'),
  ('MP', 'Northern Mariana Islands'),
  ('MQ', 'Martinique'),
  ('MR', 'Mauritania'),
  ('MS', 'Montserrat'),
  ('MT', 'Malta'),
  ('MU', 'Mauritius'),
  ('MV', 'Maldives'),
  ('MW', 'Malawi'),
  ('MX', 'Mexico'),
  ('MY', 'Malaysia'),
  ('MZ', 'Mozambique'),
  ('NA', 'Namibia'),
  ('NC', 'New Caledonia'),
  ('NE', 'Niger'),
  ('NF', 'Norfolk Island'),
  ('NG', 'Nigeria'),
  ('NI', 'Nicaragua'),
  ('NL', 'Netherlands'),
  ('NO', 'Norway'),
  ('NP', 'Nepal'),
  ('NR', 'Nauru'),
  ('NU', 'Niue'),
  ('NZ', 'New Zealand'),
  ('OM', 'Oman'),
  ('PA', 'Panama'),
  ('PE', 'Peru'),
  ('PF', 'French Polynesia'),
  ('PG', 'Papua New Guinea'),
  ('PH', 'Philippines'),
  ('PK', 'Pakistan'),
  ('PL', 'Poland'),
  ('PM', 'St. Pierre & Miquelon'),
  ('PN', 'Pitcairn Islands'),
  ('PR', 'Puerto Rico'),
  ('PS', 'Palestinian Territories'),
  ('PT', 'Portugal'),
  ('PW', 'Palau'),
  ('PY', 'Paraguay'),
  ('QA', 'Qatar'),
  ('RE', 'Réunion'),
  ('RO', 'Romania'),
  ('RS', 'Serbia'),
  ('RU', 'Russia'),
  ('RW', 'Rwanda'),
  ('SA', 'Saudi Arabia'),
  ('SB', 'Solomon Islands'),
  ('SC', 'Seychelles'),
  ('SD', 'Sudan'),
  ('SE', 'Sweden'),
  ('SG', 'Singapore'),
  ('SH', 'St. Helena'),
  ('SI', 'Slovenia'),
  ('SJ', 'Svalbard & Jan Mayen'),
  ('SK', 'Slovakia'),
  ('SL', 'Sierra Leone'),
  ('SM', 'San Marino'),
  ('SN', 'Senegal'),
  ('SO', 'Somalia'),
  ('SR', 'Suriname'),
  ('SS', 'South Sudan'),
  ('ST', 'São Tomé & Príncipe'),
  ('SV', 'El Salvador'),
  ('SX', 'Sint Maarten'),
  ('SY', 'Syria'),
  ('SZ', 'Eswatini'),
  ('TC', 'Turks & Caicos Islands'),
  ('TD', 'Chad'),
  ('TF', 'French Southern Territories'),
  ('TG', 'Togo'),
  ('TH', 'Thailand'),
  ('TJ', 'Tajikistan'),
  ('TK', 'Tokelau'),
  ('TL', 'Timor-Leste'),
  ('TM', 'Turkmenistan'),
  ('TN', 'Tunisia'),
  ('TO', 'Tonga'),
  ('TR', 'Türkiye'),
  ('TT', 'Trinidad & Tobago'),
  ('TV', 'Tuvalu'),
  ('TW', 'Taiwan'),
  ('TZ', 'Tanzania'),
  ('UA', 'Ukraine'),
  ('UG', 'Uganda'),
  ('UM', 'U.S. Outlying Islands'),
  ('US', 'United States'),
  ('UY', 'Uruguay'),
  ('UZ', 'Uzbekistan'),
  ('VA', 'Vatican City'),
  ('VC', 'St. Vincent & Grenadines'),
  ('VE', 'Venezuela'),
  ('VG', 'British Virgin Islands'),
  ('VI', 'U.S. Virgin Islands'),
  ('VN', 'Vietnam'),
  ('VU', 'Vanuatu'),
  ('WF', 'Wallis & Futuna'),
  ('WS', 'Samoa'),
  ('YE', 'Yemen'),
  ('YT', 'Mayotte'),
  ('ZA', 'South Africa'),
  ('ZM', 'Zambia'),
  ('ZW', 'Zimbabwe');

-- ==== supabase/schemas/20_profiles.sql

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

-- ==== supabase/schemas/30_organizations_memberships.sql

-- Organizations and memberships: the app's copy of Clerk's teams, synced like profiles.
--
-- Why these shapes:
--   * Both tables are keyed by Clerk ids and carry the same bookkeeping as profiles
--     (event_at, event_id, deleted_at), so apply_clerk_event orders, deduplicates and
--     tombstones them exactly as it does users.
--   * No foreign keys between organization_memberships, organizations and profiles:
--     Svix does not guarantee order, and a membership may arrive before its user or its
--     organization. A foreign key would turn that ordinary case into a failed event.
--     The views below join instead, and the apply path (52_apply_memberships.sql)
--     keeps deletions consistent: deleting an organization or a user tombstones its
--     memberships, and a membership change older than such a deletion is stale.
--   * A membership stores the names and image of public_user_data as a fallback for
--     members whose profile has not arrived yet. It never stores `identifier`: that is
--     usually the email address, which profiles keep private.
--
-- Read paths:
--   * public.public_organizations (view, everyone): name, slug, image, member count.
--   * public.organization_members (view, members of that organization only): the
--     member list. It runs with the caller's rights, so the row policy on
--     organization_memberships decides who sees which rows.
--   * public.my_organizations (view, the signed-in user): their organizations and roles.
-- Writes: only apply_clerk_event (service role).

create table public.organizations (
  clerk_id text primary key check (char_length(clerk_id) between 1 and 128),

  -- Clerk-owned: written only by apply_clerk_event.
  name text,
  slug text,
  image_url text,
  public_metadata jsonb not null default '{}'::jsonb,
  created_by text,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,

  -- Bookkeeping: written only by apply_clerk_event.
  event_at timestamptz not null,
  event_id text not null,
  synced_at timestamptz not null default now(),
  deleted_at timestamptz
);

comment on table public.organizations is 'One row per Clerk organization, synced from organization.* events and backfills. Service role only; everyone reads public_organizations.';
comment on column public.organizations.clerk_id is 'Clerk organization id (org_...): org_id / o.id in the session token.';
comment on column public.organizations.slug is 'Clerk slug. Not unique here: a renamed and a new organization may briefly share one while events arrive.';
comment on column public.organizations.public_metadata is 'Clerk public_metadata. Not exposed by public_organizations; private_metadata is never stored.';
comment on column public.organizations.created_by is 'Clerk user id of the creator.';
comment on column public.organizations.clerk_created_at is 'created_at from Clerk.';
comment on column public.organizations.clerk_updated_at is 'updated_at from Clerk; backfill and reconcile compare it with Clerk''s.';
comment on column public.organizations.event_at is 'Event clock of the last applied change (envelope timestamp, else data.updated_at).';
comment on column public.organizations.event_id is 'Message id of the last applied change; breaks ties of event_at.';
comment on column public.organizations.deleted_at is 'Tombstone: set by organization.deleted or reconcile. The row stays so that older events stay stale.';

create index organizations_slug_idx on public.organizations (slug) where deleted_at is null;

alter table public.organizations enable row level security;

-- No policies: only the service role writes, and reads go through public_organizations.
revoke all on table public.organizations from anon, authenticated;
grant all on table public.organizations to service_role;

create table public.organization_memberships (
  clerk_id text primary key check (char_length(clerk_id) between 1 and 128),
  organization_id text not null check (char_length(organization_id) between 1 and 128),
  user_id text not null check (char_length(user_id) between 1 and 128),

  -- Clerk-owned: written only by apply_clerk_event.
  role text,
  permissions text[] not null default '{}',
  public_metadata jsonb not null default '{}'::jsonb,
  first_name text,
  last_name text,
  image_url text,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,

  -- Bookkeeping: written only by apply_clerk_event.
  event_at timestamptz not null,
  event_id text not null,
  synced_at timestamptz not null default now(),
  deleted_at timestamptz
);

comment on table public.organization_memberships is 'One row per Clerk organization membership. Members of an organization read its rows; only the service role writes.';
comment on column public.organization_memberships.clerk_id is 'Clerk membership id (orgmem_...).';
comment on column public.organization_memberships.organization_id is 'Clerk organization id. No foreign key: the membership may arrive before its organization.';
comment on column public.organization_memberships.user_id is 'Clerk user id (public_user_data.user_id). No foreign key: the membership may arrive before its user.';
comment on column public.organization_memberships.role is 'Clerk role key, e.g. org:admin or org:member.';
comment on column public.organization_memberships.permissions is 'Clerk permission keys of the role, e.g. org:sys_memberships:read.';
comment on column public.organization_memberships.public_metadata is 'Clerk public_metadata of the membership; private_metadata is never stored.';
comment on column public.organization_memberships.first_name is 'public_user_data.first_name at the last event: shown until the member''s profile arrives.';
comment on column public.organization_memberships.last_name is 'public_user_data.last_name at the last event: shown until the member''s profile arrives.';
comment on column public.organization_memberships.image_url is 'public_user_data.image_url at the last event: shown until the member''s profile arrives.';
comment on column public.organization_memberships.clerk_created_at is 'created_at from Clerk: when the user joined.';
comment on column public.organization_memberships.clerk_updated_at is 'updated_at from Clerk; backfill and reconcile compare it with Clerk''s.';
comment on column public.organization_memberships.event_at is 'Event clock of the last applied change (envelope timestamp, else data.updated_at).';
comment on column public.organization_memberships.event_id is 'Message id of the last applied change; breaks ties of event_at.';
comment on column public.organization_memberships.deleted_at is 'Tombstone: set by organizationMembership.deleted, or by the deletion of its organization or user.';

-- The row policy reads organization_id and deleted_at; the membership helper reads
-- user_id and deleted_at for organization_id; deleting an organization or a user
-- finds its memberships by organization_id or user_id alone.
create index organization_memberships_organization_idx on public.organization_memberships (organization_id, deleted_at);
create index organization_memberships_user_idx on public.organization_memberships (user_id, deleted_at, organization_id);

alter table public.organization_memberships enable row level security;

revoke all on table public.organization_memberships from anon, authenticated;
grant select on table public.organization_memberships to authenticated;
grant all on table public.organization_memberships to service_role;

-- The organizations the signed-in user belongs to: their synced memberships, plus the
-- active organization of their session token (org_id in v1 tokens, o.id in v2), which
-- Clerk signs only for members. The token claim covers a member whose membership
-- event has not arrived yet; the synced rows cover every other organization of theirs.
-- Security definer, so that reading memberships here does not recurse into the row
-- policy that calls it.
create function private.current_user_organization_ids()
returns setof text
language sql
stable
security definer
set search_path = ''
as $$
  select m.organization_id
    from public.organization_memberships m
   where m.user_id = (select auth.jwt() ->> 'sub')
     and m.deleted_at is null
  union
  select claim.org_id
    from (select coalesce(auth.jwt() ->> 'org_id', auth.jwt() -> 'o' ->> 'id') as org_id) claim
   where claim.org_id is not null
     and (select auth.jwt() ->> 'sub') is not null
$$;

comment on function private.current_user_organization_ids() is 'Organization ids of the signed-in Clerk user: synced memberships and the token''s active organization. Used by row policies.';

revoke all on function private.current_user_organization_ids() from public, anon;
grant execute on function private.current_user_organization_ids() to authenticated;

create policy "Memberships are readable by members of the organization"
  on public.organization_memberships for select
  to authenticated
  using (
    deleted_at is null
    and organization_id in (select private.current_user_organization_ids())
  );

-- Public information about organizations. It runs with its owner's rights (not the
-- caller's), which is what lets anyone read it while exposing only these columns and
-- counting members without showing them. security_barrier keeps caller-supplied
-- filters from running before the deleted_at filter.
create view public.public_organizations
  with (security_barrier = true)
as
select
  o.clerk_id,
  o.name,
  o.slug,
  o.image_url,
  o.clerk_created_at as created_at,
  (select count(*)
     from public.organization_memberships m
    where m.organization_id = o.clerk_id and m.deleted_at is null)::integer as members_count
from public.organizations o
where o.deleted_at is null;

comment on view public.public_organizations is 'Public columns of organizations that are not deleted, with the number of synced members. Readable by everyone.';

revoke all on table public.public_organizations from anon, authenticated;
grant select on table public.public_organizations to anon, authenticated, service_role;

-- The member list of an organization. security_invoker: the caller's row policy on
-- organization_memberships decides which rows exist here, so a non-member sees none.
-- Names come from the member's public profile, or from the membership's snapshot
-- until the profile arrives.
create view public.organization_members
  with (security_invoker = true, security_barrier = true)
as
select
  m.clerk_id as membership_id,
  m.organization_id,
  m.user_id,
  m.role,
  m.clerk_created_at as joined_at,
  p.username,
  case when p.clerk_id is null then m.first_name else p.first_name end as first_name,
  case when p.clerk_id is null then m.last_name else p.last_name end as last_name,
  case when p.clerk_id is null then m.image_url else p.image_url end as image_url
from public.organization_memberships m
left join public.public_profiles p on p.clerk_id = m.user_id
where m.deleted_at is null;

comment on view public.organization_members is 'Members of the organizations the caller belongs to, with their public names. Empty for non-members.';

revoke all on table public.organization_members from anon, authenticated;
grant select on table public.organization_members to authenticated, service_role;

-- The signed-in user's organizations, for /me. Only organizations that have synced.
create view public.my_organizations
  with (security_invoker = true, security_barrier = true)
as
select
  m.organization_id,
  o.name,
  o.slug,
  o.image_url,
  o.members_count,
  m.role,
  m.clerk_created_at as joined_at
from public.organization_memberships m
join public.public_organizations o on o.clerk_id = m.organization_id
where m.user_id = (select auth.jwt() ->> 'sub')
  and m.deleted_at is null;

comment on view public.my_organizations is 'The organizations of the signed-in Clerk user, with their role in each.';

revoke all on table public.my_organizations from anon, authenticated;
grant select on table public.my_organizations to authenticated;

-- ==== supabase/schemas/40_ledger.sql

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

-- ==== supabase/schemas/50_apply_profiles.sql

-- The apply path of profiles: user.created, user.updated and user.deleted.
--
-- Every write is guarded by the event clock: a row is written only when the event's
-- (event_at, event_id) is greater than the row's. Comparing the pair breaks ties of
-- equal timestamps by message id, so the final row never depends on arrival order.
--
-- A stale event answers from a plain read, without taking the row's lock:
-- `insert … on conflict do update … where <clock guard>` locks the conflicting row even
-- when the guard is false. Clocks only grow, so once a row's clock is at or past an
-- event's it stays there; everything else goes on to the guarded upsert, which checks
-- again under the lock.
--
-- A delete leaves a tombstone: the row stays (so older events stay stale) and forgets
-- the person. Every Clerk-owned and user-owned field is cleared, clerk_created_at and
-- clerk_updated_at too, so a tombstone is the same row whether user.deleted arrived
-- before or after user.created. A deleted user also leaves their organizations
-- (52_apply_memberships.sql).
--
-- The upsert and the tombstone are one statement: the tombstone writes the Clerk-owned
-- columns from an empty row. So those columns are named once here, in the `set` of
-- write_profile; adding one takes the column in 20_profiles.sql and its name in both
-- lists of that `set`.

create function private.write_profile(
  p_row jsonb, p_tombstone boolean, p_event_at timestamptz, p_event_id text
)
returns boolean
language plpgsql
set search_path = ''
as $$
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
$$;

-- A deleted user leaves their organizations too.
create function private.tombstone_user(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_profile boolean;
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  perform private.record_deletion(p_clerk_id, p_event_at, p_event_id);
  v_profile := private.write_profile(jsonb_build_object('clerk_id', p_clerk_id), true, p_event_at, p_event_id);
  return private.tombstone_memberships_of(null, p_clerk_id, p_event_at, p_event_id) or v_profile;
end;
$$;

revoke all on function
  private.write_profile(jsonb, boolean, timestamptz, text),
  private.tombstone_user(text, timestamptz, text)
from public, anon, authenticated;

-- ==== supabase/schemas/51_apply_organizations.sql

-- The apply path of organizations: organization.created, .updated and .deleted.
--
-- The same rules as profiles (50_apply_profiles.sql): the clock guard, the lock-free
-- answer for stale events, and a tombstone that keeps the row and clears every
-- Clerk-owned field. Deleting an organization also ends its memberships
-- (52_apply_memberships.sql).
--
-- As for profiles, the upsert and the tombstone are one statement, and the Clerk-owned
-- columns are named once, in the `set` of write_organization.

create function private.write_organization(
  p_row jsonb, p_tombstone boolean, p_event_at timestamptz, p_event_id text
)
returns boolean
language plpgsql
set search_path = ''
as $$
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
$$;

create function private.tombstone_organization(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_organization boolean;
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  perform private.record_deletion(p_clerk_id, p_event_at, p_event_id);
  v_organization := private.write_organization(jsonb_build_object('clerk_id', p_clerk_id), true, p_event_at, p_event_id);
  return private.tombstone_memberships_of(p_clerk_id, null, p_event_at, p_event_id) or v_organization;
end;
$$;

revoke all on function
  private.write_organization(jsonb, boolean, timestamptz, text),
  private.tombstone_organization(text, timestamptz, text)
from public, anon, authenticated;

-- ==== supabase/schemas/52_apply_memberships.sql

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

-- ==== supabase/schemas/60_apply_event.sql

-- apply_clerk_event and apply_clerk_events: the one way synced data is written.
--
-- The webhook function verifies and maps a Clerk event to a change (pure TypeScript,
-- supabase/functions/_shared/events.ts), then makes one call. For each event, in one
-- transaction, private.apply_event:
--   1. answers 'duplicate' if the message id has already settled (no entity lock taken);
--   2. applies the change through private.apply_change, guarded by the event clock
--      (50_apply_profiles.sql and the files after it);
--   3. records the message in the ledger with its outcome, and returns it.
-- A deterministic failure of the data (a check, a foreign key, a value too large) is
-- recorded as 'failed' with the payload, so it can be replayed; any other error is
-- raised, the transaction rolls back, and the webhook answers 5xx so Svix retries.
--
-- Payloads: the webhook says per event whether the ledger keeps it (`keep_payload`,
-- from its LEDGER_PAYLOADS setting). A failed event always keeps its payload, since
-- nothing else can replay it. Callers that do not say (backfill, replay) keep it.
--
-- Group commit: every event applied alone costs a round trip through PostgREST and a
-- commit (a WAL flush). Under a burst the webhook collects the events that arrive
-- while a call is in flight and applies them with apply_clerk_events, in one
-- transaction. No delivery is answered before the group commits, so a 2xx still means
-- the event is durable. A data failure is caught per event (a subtransaction), so one
-- bad event is recorded as failed without failing the others; any other error rolls
-- the whole group back and every delivery in it is answered 500. Events are applied in
-- (object_id, svix_id) order, so two groups running at once lock rows in the same
-- order and cannot deadlock; the order does not change the result.
--
-- The public functions are security definer so that webhook writes never pass through
-- user policies, and executable by service_role only.
--
-- Argument shape of one event:
--   { svix_id, type, event_at, object_id, instance_id, payload, keep_payload?,
--     change: null | { table: 'profiles' | 'organizations' | 'organization_memberships',
--                      op: 'upsert' | 'tombstone', row: {...} } }

-- Routes a change to its table. Returns true when a row was written, false when stale.
create function private.apply_change(p_change jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
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
$$;

create function private.apply_event(event jsonb)
returns public.clerk_event_outcome
language plpgsql
set search_path = ''
as $$
declare
  v_svix_id text := event ->> 'svix_id';
  v_type text := event ->> 'type';
  v_event_at timestamptz := (event ->> 'event_at')::timestamptz;
  v_change jsonb := nullif(event -> 'change', 'null'::jsonb);
  v_outcome public.clerk_event_outcome;
  v_error text;
begin
  if v_svix_id is null or v_type is null or v_event_at is null then
    raise exception 'apply_clerk_event: svix_id, type and event_at are required'
      using errcode = '22023';
  end if;

  -- A redelivery of a settled message: count it, change nothing else.
  update public.clerk_events
     set duplicates = duplicates + 1, last_duplicate_at = now()
   where svix_id = v_svix_id and outcome <> 'failed';
  if found then
    return 'duplicate';
  end if;

  if v_change is null then
    v_outcome := 'ignored';
  else
    begin
      v_outcome := case when private.apply_change(v_change, v_event_at, v_svix_id)
                        then 'applied' else 'stale' end;
    exception when data_exception or integrity_constraint_violation or program_limit_exceeded then
      v_outcome := 'failed';
      v_error := sqlstate || ': ' || sqlerrm;
    end;
  end if;

  insert into public.clerk_events as e (
    svix_id, type, object_id, instance_id, event_at, outcome, error, payload
  ) values (
    v_svix_id, v_type, event ->> 'object_id', event ->> 'instance_id', v_event_at,
    v_outcome, v_error,
    case when v_outcome = 'failed' or coalesce((event ->> 'keep_payload')::boolean, true)
         then event -> 'payload' end
  )
  on conflict (svix_id) do update set
    outcome = excluded.outcome,
    error = excluded.error,
    payload = excluded.payload,
    attempts = e.attempts + 1
  where e.outcome = 'failed';

  if not found then
    -- A concurrent delivery of the same message settled first. Our change above was a
    -- no-op: the clock guard saw the same (event_at, event_id) already written.
    update public.clerk_events
       set duplicates = duplicates + 1, last_duplicate_at = now()
     where svix_id = v_svix_id;
    return 'duplicate';
  end if;

  return v_outcome;
end;
$$;

create function public.apply_clerk_event(event jsonb)
returns public.clerk_event_outcome
language sql
security definer
set search_path = ''
set lock_timeout = '5s'
as $$
  select private.apply_event(event);
$$;

comment on function public.apply_clerk_event(jsonb) is 'Applies one verified Clerk event exactly once, ordered by event clock, and records it in the ledger. Service role only.';

-- Takes a JSON array of events (each the argument of apply_clerk_event) and returns
-- their outcomes in the same order.
create function public.apply_clerk_events(events jsonb)
returns public.clerk_event_outcome[]
language plpgsql
security definer
set search_path = ''
set lock_timeout = '5s'
as $$
declare
  v_outcomes public.clerk_event_outcome[] := array_fill(null::public.clerk_event_outcome, array[jsonb_array_length(events)]);
  v_item record;
begin
  for v_item in
    select e.value, e.ordinality
      from jsonb_array_elements(events) with ordinality as e
     order by e.value ->> 'object_id', e.value ->> 'svix_id', e.ordinality
  loop
    v_outcomes[v_item.ordinality] := private.apply_event(v_item.value);
  end loop;
  return v_outcomes;
end;
$$;

comment on function public.apply_clerk_events(jsonb) is 'Applies a group of verified Clerk events in one transaction (group commit); outcomes in input order. Service role only.';

revoke all on function
  private.apply_change(jsonb, timestamptz, text),
  private.apply_event(jsonb)
from public, anon, authenticated;

revoke all on function public.apply_clerk_event(jsonb) from public, anon, authenticated;
grant execute on function public.apply_clerk_event(jsonb) to service_role;
revoke all on function public.apply_clerk_events(jsonb) from public, anon, authenticated;
grant execute on function public.apply_clerk_events(jsonb) to service_role;

-- ==== supabase/schemas/70_feed.sql

-- The public feed: newest profiles first, keyset-paginated, searchable by name or
-- username and filterable by country, fast at 100,000 profiles and beyond.
--
-- Why a function and not the public_profiles view with indexes:
--   * public_profiles is a security_barrier view, and PostgreSQL never flattens a
--     security-barrier subquery into the outer query. The outer ORDER BY ... LIMIT
--     therefore cannot use an index: every feed page was a scan and a top-N sort of
--     all profiles (70 ms at 100k, growing linearly). Keeping the barrier matters more
--     than the convenience of filtering the view, so the view stays as it is.
--   * Full-text matching (@@) is not leakproof, so through the barrier it could never
--     reach an index either.
-- profile_feed reads public.profiles directly, as its owner, with the same rule as
-- the view (public columns of profiles that are not deleted) and returns the view's
-- row type, so the feed can never show a column the view does not.
--
-- Pagination is by keyset on (clerk_created_at, clerk_id), both descending: the
-- caller passes the last row it has, and the next page starts right after it in the
-- index, however deep. clerk_id breaks ties between equal creation times.
--
-- Search: the words typed are prefixes, all of which must match a word of the
-- username, first name or last name ("ada lov" finds Ada Lovelace). The core
-- 'simple' text search configuration lowercases and splits; no extension is needed.

-- The words a profile can be found by. Immutable, so it can be indexed.
create function private.profile_search_document(p_username text, p_first_name text, p_last_name text)
returns tsvector
language sql
immutable
parallel safe
set search_path = ''
return to_tsvector(
  'simple'::regconfig,
  coalesce(p_username, '') || ' ' || coalesce(p_first_name, '') || ' ' || coalesce(p_last_name, '')
);

-- Typed text to a prefix query: every word, split the way the documents are, must
-- start a word of the profile. Null when nothing searchable was typed. The lexemes are
-- quoted, so no input can form tsquery syntax.
create function private.profile_search_query(p_search text)
returns tsquery
language sql
immutable
parallel safe
set search_path = ''
return (
  select string_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''':*', ' & ')::tsquery
  from unnest(tsvector_to_array(to_tsvector('simple'::regconfig, coalesce(p_search, '')))) as lexeme
);

-- Both are executable by everyone: an index expression runs as the role that writes
-- the row, so an owner's own update of their bio calls it too. They are pure functions
-- of their arguments and reveal nothing.
grant execute on function
  private.profile_search_document(text, text, text),
  private.profile_search_query(text)
to public;

-- The feed's order; also serves every deeper page (a range scan from the cursor).
create index profiles_feed_idx
  on public.profiles (clerk_created_at desc, clerk_id desc)
  where deleted_at is null;

-- The feed filtered by country, in the same order.
create index profiles_feed_country_idx
  on public.profiles (country, clerk_created_at desc, clerk_id desc)
  where deleted_at is null;

-- Search. An expression index, so profiles gains no column. Without fastupdate: a
-- pending list of recent rows would be read in full by every search until the next
-- vacuum (8 ms instead of 1 ms for a search matching nothing, after 100k inserts),
-- and profiles are written one at a time, where the pending list saves little.
create index profiles_search_idx
  on public.profiles using gin (private.profile_search_document(username, first_name, last_name))
  with (fastupdate = off)
  where deleted_at is null;

create function public.profile_feed(
  search text default null,
  country text default null,
  before_created_at timestamptz default null,
  before_clerk_id text default null,
  page_size integer default 24
)
returns setof public.public_profiles
language plpgsql
stable
security definer
set search_path = ''
-- The optional filters are written as (param is null or ...). A custom plan sees the
-- values and drops the branches that do not apply; a generic plan would keep them
-- all and could use no index.
set plan_cache_mode = force_custom_plan
as $$
declare
  v_query tsquery := private.profile_search_query(profile_feed.search);
  v_limit integer := least(greatest(coalesce(profile_feed.page_size, 24), 1), 100);
begin
  if v_query is null then
    return query
      select p.clerk_id, p.username, p.first_name, p.last_name, p.image_url, p.bio, p.country,
             case when p.birthday_public then p.birthday end, p.clerk_created_at
      from public.profiles p
      where p.deleted_at is null
        and p.clerk_created_at is not null
        and (profile_feed.country is null or p.country = profile_feed.country)
        and (profile_feed.before_created_at is null
             or (p.clerk_created_at, p.clerk_id) < (profile_feed.before_created_at, coalesce(profile_feed.before_clerk_id, '')))
      order by p.clerk_created_at desc, p.clerk_id desc
      limit v_limit;
  else
    -- Prefix queries have no statistics: the planner guesses that 2 % of rows match
    -- and walks the feed index, which reads every profile when nothing matches
    -- (0.7 s at 100k). Collecting the matches through the GIN index first bounds the
    -- cost by the number of matches; only their sort keys are carried, and the page's
    -- rows are read afterwards.
    return query
      with matches as materialized (
        select p.clerk_created_at, p.clerk_id
        from public.profiles p
        where p.deleted_at is null
          and p.clerk_created_at is not null
          and private.profile_search_document(p.username, p.first_name, p.last_name) @@ v_query
          and (profile_feed.country is null or p.country = profile_feed.country)
          and (profile_feed.before_created_at is null
               or (p.clerk_created_at, p.clerk_id) < (profile_feed.before_created_at, coalesce(profile_feed.before_clerk_id, '')))
      ),
      page as (
        select m.clerk_created_at, m.clerk_id
        from matches m
        order by m.clerk_created_at desc, m.clerk_id desc
        limit v_limit
      )
      select p.clerk_id, p.username, p.first_name, p.last_name, p.image_url, p.bio, p.country,
             case when p.birthday_public then p.birthday end, p.clerk_created_at
      from page
      join public.profiles p on p.clerk_id = page.clerk_id
      order by page.clerk_created_at desc, page.clerk_id desc;
  end if;
end;
$$;

comment on function public.profile_feed(text, text, timestamptz, text, integer) is
  'Public profiles, newest first: page_size rows (at most 100) after the cursor (before_created_at, before_clerk_id), optionally only those whose name or username words start with every word of search, and only from one country.';

revoke all on function public.profile_feed(text, text, timestamptz, text, integer) from public;
grant execute on function public.profile_feed(text, text, timestamptz, text, integer) to anon, authenticated, service_role;

-- ==== supabase/schemas/80_health_admin.sql

-- Sync health: numbers for uptime monitors, and a report for the admins' dashboard page.
--
-- A stalled sync is silent: Clerk keeps working, webhooks stop arriving, and nothing
-- fails. The only signal is the age of the last webhook, so both functions measure it.
--
-- Both count webhooks only: backfill and reconcile rows (clerk_events.source) are
-- clocked by the object's updated_at and arrive by the thousand.
--
--   public.sync_health(stale_after_seconds)        anyone: status, last event age,
--                                                  failed count, ledger size. Answers
--                                                  HTTP 503 through PostgREST unless ok.
--   public.sync_health_report(window, stale_after) admins only: the dashboard page.
--   public.authorize_sync_admin()                  admins only: the clerk-sync-admin
--                                                  function's check of its caller.
--
-- Admins are users whose Clerk session token carries metadata.role = 'admin'. Clerk
-- puts it there from the user's public_metadata with the session token template
-- {"metadata": "{{user.public_metadata}}"}; public_metadata can only be written with
-- the Backend API, so a user cannot make themselves an admin.

create function private.is_sync_admin()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(auth.jwt() -> 'metadata' ->> 'role' = 'admin', false)
      or coalesce(auth.jwt() ->> 'role' = 'service_role', false)
$$;

comment on function private.is_sync_admin() is 'True for a Clerk session token with metadata.role = admin (session token template {"metadata": "{{user.public_metadata}}"}), and for the service role.';

revoke all on function private.is_sync_admin() from public, anon, authenticated;

create function public.sync_health(stale_after_seconds integer default 3600)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_last timestamptz;
  v_failed bigint;
  v_rows bigint;
  v_age numeric;
  v_status text;
begin
  if stale_after_seconds is not null and stale_after_seconds < 1 then
    raise exception 'sync_health: stale_after_seconds must be at least 1' using errcode = '22023';
  end if;

  select max(e.received_at) into v_last from public.clerk_events e where e.source = 'webhook';
  select count(*) into v_failed from public.clerk_events e where e.outcome = 'failed';
  select count(*) into v_rows from public.clerk_events;
  v_age := round(extract(epoch from now() - v_last), 3);

  v_status := case
    when v_failed > 0 then 'failing'
    when stale_after_seconds is not null and (v_last is null or v_age > stale_after_seconds) then 'stalled'
    else 'ok'
  end;

  -- PostgREST turns this into the HTTP status, so an uptime monitor needs no parsing.
  if v_status <> 'ok' then
    perform set_config('response.status', '503', true);
  end if;

  return jsonb_build_object(
    'status', v_status,
    'last_event_received_at', v_last,
    'last_event_age_seconds', v_age,
    'stale_after_seconds', stale_after_seconds,
    'failed_count', v_failed,
    'ledger_rows', v_rows,
    'ledger_bytes', pg_catalog.pg_total_relation_size('public.clerk_events'::regclass),
    'checked_at', now()
  );
end;
$$;

comment on function public.sync_health(integer) is 'For uptime monitors: status (ok, stalled: no webhook for stale_after_seconds, failing: failed events wait for a replay), last webhook age, failed count, ledger size. HTTP 503 unless ok. Numbers only.';

revoke all on function public.sync_health(integer) from public;
grant execute on function public.sync_health(integer) to anon, authenticated, service_role;

create function public.sync_health_report(window_minutes integer default 60, stale_after_seconds integer default 3600)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_since timestamptz;
  v_last record;
  v_result jsonb;
begin
  if not private.is_sync_admin() then
    raise exception 'sync_health_report is for admins: a Clerk session token with metadata.role = admin'
      using errcode = '42501';
  end if;
  if window_minutes is null or window_minutes not between 1 and 1440 then
    raise exception 'sync_health_report: window_minutes must be between 1 and 1440' using errcode = '22023';
  end if;
  if stale_after_seconds is not null and stale_after_seconds < 1 then
    raise exception 'sync_health_report: stale_after_seconds must be at least 1' using errcode = '22023';
  end if;

  v_since := date_trunc('minute', now()) - make_interval(mins => window_minutes - 1);

  select e.received_at, e.event_at into v_last
    from public.clerk_events e
   where e.source = 'webhook'
   order by e.received_at desc
   limit 1;

  select jsonb_build_object(
    'generated_at', now(),
    'window_minutes', window_minutes,
    'stale_after_seconds', stale_after_seconds,
    'last_event_received_at', v_last.received_at,
    'last_event_at', v_last.event_at,
    'last_event_age_seconds', round(extract(epoch from now() - v_last.received_at), 3),
    'stalled', stale_after_seconds is not null
               and (v_last.received_at is null or now() - v_last.received_at > make_interval(secs => stale_after_seconds)),
    'lag_seconds', (
      select jsonb_build_object(
        'p50', round(percentile_cont(0.5) within group (order by lag)::numeric, 3),
        'p95', round(percentile_cont(0.95) within group (order by lag)::numeric, 3),
        'max', round(max(lag)::numeric, 3),
        'last', round(extract(epoch from v_last.received_at - v_last.event_at), 3)
      )
      from (select extract(epoch from e.received_at - e.event_at) as lag
              from public.clerk_events e
             where e.source = 'webhook' and e.received_at >= v_since) lags
    ),
    'per_minute', (
      select coalesce(jsonb_agg(jsonb_build_object(
               'minute', minutes.minute,
               'applied', coalesce(counts.applied, 0),
               'stale', coalesce(counts.stale, 0),
               'ignored', coalesce(counts.ignored, 0),
               'failed', coalesce(counts.failed, 0)
             ) order by minutes.minute), '[]'::jsonb)
        from generate_series(v_since, date_trunc('minute', now()), interval '1 minute') as minutes(minute)
        left join (
          select date_trunc('minute', e.received_at) as minute,
                 count(*) filter (where e.outcome = 'applied') as applied,
                 count(*) filter (where e.outcome = 'stale') as stale,
                 count(*) filter (where e.outcome = 'ignored') as ignored,
                 count(*) filter (where e.outcome = 'failed') as failed
            from public.clerk_events e
           where e.source = 'webhook' and e.received_at >= v_since
           group by 1
        ) counts on counts.minute = minutes.minute
    ),
    'redelivered_in_window', (
      select count(*) from public.clerk_events e where e.last_duplicate_at >= v_since
    ),
    'api_rows_in_window', (
      select jsonb_build_object(
        'backfill', count(*) filter (where e.source = 'backfill'),
        'reconcile', count(*) filter (where e.source = 'reconcile')
      )
      from public.clerk_events e
     where e.received_at >= v_since and e.source <> 'webhook'
    ),
    'failed_count', (select count(*) from public.clerk_events e where e.outcome = 'failed'),
    'failed', (
      select coalesce(jsonb_agg(jsonb_build_object(
               'svix_id', f.svix_id,
               'type', f.type,
               'object_id', f.object_id,
               'source', f.source,
               'event_at', f.event_at,
               'received_at', f.received_at,
               'attempts', f.attempts,
               'error', f.error
             ) order by f.received_at desc), '[]'::jsonb)
        from (select * from public.clerk_events e
               where e.outcome = 'failed'
               order by e.received_at desc
               limit 50) f
    ),
    'ledger_rows', (select count(*) from public.clerk_events),
    'ledger_bytes', pg_catalog.pg_total_relation_size('public.clerk_events'::regclass)
  ) into v_result;

  return v_result;
end;
$$;

comment on function public.sync_health_report(integer, integer) is 'For the admins'' health page: webhook events per minute by outcome, last event and lag (received minus event time), the 50 newest failed events, ledger size. Raises 42501 for non-admins.';

revoke all on function public.sync_health_report(integer, integer) from public, anon;
grant execute on function public.sync_health_report(integer, integer) to authenticated, service_role;

-- The admin check of the clerk-sync-admin Edge Function. That function re-applies
-- failed ledger events as the service role, on behalf of a dashboard admin. It is
-- deployed with verify_jwt = false (so the browser's CORS preflight reaches it), so it
-- must not judge the caller's token itself: it calls this function through PostgREST
-- with the caller's own token. PostgREST (and, on hosted Supabase, the third-party
-- auth setting that trusts only Clerk) verifies the token's signature, expiry and
-- issuer; this function then applies the same admin rule as sync_health_report. One rule, checked by the database, on every platform.
--
-- Answers the caller's Clerk user id, for the function's log; raises 42501 (HTTP 403
-- through PostgREST) for a signed-in non-admin. anon may not call it at all (HTTP 401).
create function public.authorize_sync_admin()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.is_sync_admin() then
    raise exception 'sync admin actions are for admins: a Clerk session token with metadata.role = admin'
      using errcode = '42501';
  end if;
  return coalesce(auth.jwt() ->> 'sub', auth.jwt() ->> 'role');
end;
$$;

comment on function public.authorize_sync_admin() is 'Returns the caller''s Clerk user id if their session token makes them a sync admin (metadata.role = admin), else raises 42501. Called by the clerk-sync-admin function with the caller''s own token.';

revoke all on function public.authorize_sync_admin() from public, anon;
grant execute on function public.authorize_sync_admin() to authenticated, service_role;

-- ==== supabase/schemas/90_retention.sql

-- Ledger retention: the ledger grows by one row per message forever, and every row
-- keeps its event's payload (names, emails, metadata). Keeping personal data longer
-- than it is useful is a liability, so retention is in two steps:
--   1. payloads: cleared after `payloads_older_than` (default 30 days). The row stays,
--      so exactly-once still holds and the audit trail keeps type, object, clock and
--      outcome.
--   2. rows: deleted after `rows_older_than`, when given. At least 2 days: Svix retries
--      a message for about 28 hours, and a retry whose row is gone would be applied as
--      new (harmless, since the row clock makes it stale, but no longer exactly once).
-- Failed events are never touched: their payload is what a replay needs.
--
-- Run it daily: locally `npm run clerk -- prune-ledger --older-than 30d`, on hosted
-- Supabase with pg_cron (see the README):
--   select cron.schedule('prune-clerk-events', '17 3 * * *',
--     $$select public.prune_clerk_events(interval '30 days', interval '180 days')$$);

create function public.prune_clerk_events(
  payloads_older_than interval default interval '30 days',
  rows_older_than interval default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cleared bigint := 0;
  v_deleted bigint := 0;
begin
  if payloads_older_than is null or payloads_older_than < interval '0' then
    raise exception 'prune_clerk_events: payloads_older_than must be zero or more' using errcode = '22023';
  end if;
  if rows_older_than is not null and rows_older_than < interval '2 days' then
    raise exception 'prune_clerk_events: rows_older_than must be at least 2 days (Svix retries for about 28 hours)'
      using errcode = '22023';
  end if;

  if rows_older_than is not null then
    delete from public.clerk_events e
     where e.received_at < now() - rows_older_than
       and e.outcome <> 'failed';
    get diagnostics v_deleted = row_count;
  end if;

  update public.clerk_events e
     set payload = null
   where e.received_at < now() - payloads_older_than
     and e.payload is not null
     and e.outcome <> 'failed';
  get diagnostics v_cleared = row_count;

  return jsonb_build_object('payloads_cleared', v_cleared, 'rows_deleted', v_deleted);
end;
$$;

comment on function public.prune_clerk_events(interval, interval) is 'Ledger retention: clears payloads older than payloads_older_than and deletes rows older than rows_older_than (at least 2 days); failed events are kept. Service role only; schedule it with pg_cron.';

revoke all on function public.prune_clerk_events(interval, interval) from public, anon, authenticated;
grant execute on function public.prune_clerk_events(interval, interval) to service_role;
