/**
 * The clerk_webhook role (supabase/schemas, CLERK_WEBHOOK_DB_URL): the webhook's login,
 * which may execute apply_clerk_events and nothing else. Each test tries to do more.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { ledgerEvent, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { clerkId, database } from "../support/clients.ts";
import { startWebhookFunction } from "../support/function-process.ts";

const stack = inject("stack");
const db = database(stack);
let role: pg.Client;

beforeAll(async () => {
  role = new pg.Client({ connectionString: stack.webhookDbUrl });
  await role.connect();
});
afterAll(() => role.end());

/** The SQLSTATE a statement fails with as clerk_webhook, or "ok". */
async function asWebhook(text: string, values: unknown[] = []): Promise<string> {
  try {
    await role.query(text, values);
    return "ok";
  } catch (error) {
    return (error as { code: string }).code;
  }
}

const userEvent = () => {
  const user = userJSON();
  return { user, event: ledgerEvent(clerkId("msg"), parseEnvelope(envelope("user.created", user)), new Date()) };
};

describe("the clerk_webhook role", () => {
  it("logs in as itself, not as a superuser or a member of any other role", async () => {
    const { rows } = await role.query("select current_user, (select rolsuper from pg_roles where rolname = current_user) as superuser");
    expect(rows).toEqual([{ current_user: "clerk_webhook", superuser: false }]);
    const { rows: memberships } = await db.query("select count(*)::int as n from pg_auth_members m join pg_roles r on r.oid = m.member where r.rolname = 'clerk_webhook'");
    expect(memberships[0].n, "clerk_webhook is a member of no role").toBe(0);
    for (const other of ["postgres", "service_role", "authenticated", "authenticator"]) {
      expect(await asWebhook(`set role ${other}`), `set role ${other}`).toBe("42501");
    }
  });

  it("applies events through apply_clerk_events", async () => {
    const { user, event } = userEvent();
    const { rows } = await role.query("select public.apply_clerk_events($1::jsonb)::text[] as outcomes", [JSON.stringify([event])]);
    expect(rows[0].outcomes).toEqual(["applied"]);
    expect((await db.query("select first_name from profiles where clerk_id = $1", [user.id])).rows).toEqual([{ first_name: user.first_name }]);
  });

  it("cannot read or write any table directly", async () => {
    const { event } = userEvent();
    expect(await asWebhook("select * from public.profiles limit 1")).toBe("42501");
    expect(await asWebhook("select * from public.clerk_events limit 1")).toBe("42501");
    expect(await asWebhook("insert into public.profiles (clerk_id, event_at, event_id) values ('user_x', now(), 'msg_x')")).toBe("42501");
    expect(await asWebhook("update public.profiles set first_name = 'x'")).toBe("42501");
    expect(await asWebhook("delete from public.clerk_events")).toBe("42501");
    expect(await asWebhook("select public.apply_clerk_event($1::jsonb)", [JSON.stringify(event)])).toBe("42501");
  });

  it("holds no privilege on any table, view or sequence, and executes no function anon cannot, but apply_clerk_events", async () => {
    const { rows: relations } = await db.query(`
      select c.oid::regclass::text as name
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and c.relkind in ('r', 'v', 'm', 'S', 'f', 'p')
         and (has_table_privilege('clerk_webhook', c.oid, 'select, insert, update, delete, truncate, references, trigger')
              or (c.relkind = 'S' and has_sequence_privilege('clerk_webhook', c.oid, 'usage, select, update')))`);
    expect(relations).toEqual([]);
    const { rows: functions } = await db.query(`
      select p.oid::regprocedure::text as name
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname not in ('pg_catalog', 'information_schema')
         and has_function_privilege('clerk_webhook', p.oid, 'execute')
         and not has_function_privilege('anon', p.oid, 'execute')`);
    expect(functions).toEqual([{ name: "apply_clerk_events(jsonb)" }]);
    const { rows: schemas } = await db.query(`
      select nspname from pg_namespace where has_schema_privilege('clerk_webhook', oid, 'create')
         or (nspname not in ('public', 'pg_catalog', 'information_schema') and has_schema_privilege('clerk_webhook', oid, 'usage') and not has_schema_privilege('anon', oid, 'usage'))`);
    expect(schemas).toEqual([]);
  });
});

describe("the function's database URL", () => {
  it("is required: without CLERK_WEBHOOK_DB_URL the function refuses to start, naming it", async () => {
    await expect(startWebhookFunction(stack, { CLERK_WEBHOOK_DB_URL: "" })).rejects.toThrow(/CLERK_WEBHOOK_DB_URL is not set/);
  });
});
