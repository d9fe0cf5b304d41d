/**
 * Events as apply_clerk_event takes them (the shape supabase/functions/_shared/events.ts
 * builds), and a connection to the sql project's database.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";

export type Outcome = "applied" | "stale" | "duplicate" | "ignored" | "failed";
type Table = "profiles" | "organizations" | "organization_memberships";

export interface ApplyEvent {
  svix_id: string;
  type: string;
  event_at: string;
  object_id: string | null;
  instance_id: string | null;
  payload: unknown;
  keep_payload?: boolean;
  change: null | {
    table: Table;
    op: "upsert" | "tombstone";
    row: Record<string, unknown>;
  };
}

/** A pool on the test database for the file that calls it, closed after its tests. */
export function useDatabase(): pg.Pool {
  const pool = new pg.Pool({
    connectionString: inject("sqlDatabaseUrl"),
    max: 4,
  });
  beforeAll(async () => {
    await pool.query("select 1");
  });
  afterAll(async () => {
    await pool.end();
  });
  return pool;
}

/** A fresh Clerk id of the given prefix, so tests never share a row. */
export function clerkId(prefix: "user" | "org" | "orgmem"): string {
  return `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

/** A fresh Svix message id; `tag` sorts ids when a test needs a known order. */
export function svixId(tag = ""): string {
  return `msg_${tag}${randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

const epoch = Date.parse("2026-06-01T00:00:00.000Z");
/** The event clock `seconds` after a fixed instant. */
export function at(seconds: number): string {
  return new Date(epoch + seconds * 1000).toISOString();
}

function event(
  type: string,
  objectId: string,
  when: string,
  change: ApplyEvent["change"],
  id = svixId(),
): ApplyEvent {
  return {
    svix_id: id,
    type,
    event_at: when,
    object_id: objectId,
    instance_id: "ins_test",
    payload: { type, data: { id: objectId } },
    change,
  };
}

export function userUpserted(
  id: string,
  when: string,
  fields: Record<string, unknown> = {},
  message?: string,
): ApplyEvent {
  const row = {
    clerk_id: id,
    username: null,
    first_name: "Ada",
    last_name: "Lovelace",
    image_url: null,
    email: `${id}@example.com`,
    public_metadata: {},
    clerk_created_at: at(0),
    clerk_updated_at: when,
    ...fields,
  };
  return event(
    "user.updated",
    id,
    when,
    { table: "profiles", op: "upsert", row },
    message,
  );
}

export function userDeleted(
  id: string,
  when: string,
  message?: string,
): ApplyEvent {
  return event(
    "user.deleted",
    id,
    when,
    { table: "profiles", op: "tombstone", row: { clerk_id: id } },
    message,
  );
}

export function organizationUpserted(
  id: string,
  when: string,
  fields: Record<string, unknown> = {},
  message?: string,
): ApplyEvent {
  const row = {
    clerk_id: id,
    name: "Acme",
    slug: id,
    image_url: null,
    public_metadata: {},
    created_by: null,
    clerk_created_at: at(0),
    clerk_updated_at: when,
    ...fields,
  };
  return event(
    "organization.updated",
    id,
    when,
    { table: "organizations", op: "upsert", row },
    message,
  );
}

export function organizationDeleted(
  id: string,
  when: string,
  message?: string,
): ApplyEvent {
  return event(
    "organization.deleted",
    id,
    when,
    { table: "organizations", op: "tombstone", row: { clerk_id: id } },
    message,
  );
}

export interface MembershipKeys {
  id: string;
  organization: string;
  user: string;
}

export function membershipUpserted(
  m: MembershipKeys,
  when: string,
  fields: Record<string, unknown> = {},
  message?: string,
): ApplyEvent {
  const row = {
    clerk_id: m.id,
    organization_id: m.organization,
    user_id: m.user,
    role: "org:member",
    permissions: [],
    public_metadata: {},
    first_name: "Ada",
    last_name: null,
    image_url: null,
    clerk_created_at: at(0),
    clerk_updated_at: when,
    ...fields,
  };
  return event(
    "organizationMembership.updated",
    m.id,
    when,
    { table: "organization_memberships", op: "upsert", row },
    message,
  );
}

export function membershipDeleted(
  m: MembershipKeys,
  when: string,
  message?: string,
): ApplyEvent {
  const row = {
    clerk_id: m.id,
    organization_id: m.organization,
    user_id: m.user,
  };
  return event(
    "organizationMembership.deleted",
    m.id,
    when,
    { table: "organization_memberships", op: "tombstone", row },
    message,
  );
}

export function newMembership(): MembershipKeys {
  return {
    id: clerkId("orgmem"),
    organization: clerkId("org"),
    user: clerkId("user"),
  };
}

/** public.apply_clerk_event: one event, its outcome. */
export async function apply(db: pg.Pool, e: ApplyEvent): Promise<Outcome> {
  const { rows } = await db.query<{ outcome: Outcome }>(
    "select public.apply_clerk_event($1) as outcome",
    [e],
  );
  return rows[0].outcome;
}

/** public.apply_clerk_events: a group in one transaction, outcomes in input order. */
export async function applyGroup(
  db: pg.Pool,
  events: ApplyEvent[],
): Promise<Outcome[]> {
  const { rows } = await db.query<{ outcomes: string }>(
    "select public.apply_clerk_events($1)::text[] as outcomes",
    [JSON.stringify(events)],
  );
  return rows[0].outcomes as unknown as Outcome[];
}

/** The row of `table` keyed by `id`, or undefined. */
export async function rowOf(
  db: pg.Pool,
  table: Table,
  id: string,
): Promise<Record<string, any> | undefined> {
  const { rows } = await db.query(
    `select * from public.${table} where clerk_id = $1`,
    [id],
  );
  return rows[0];
}

/** The ledger row of a message, or undefined. */
export async function ledgerRow(
  db: pg.Pool,
  id: string,
): Promise<Record<string, any> | undefined> {
  const { rows } = await db.query(
    "select * from public.clerk_events where svix_id = $1",
    [id],
  );
  return rows[0];
}
