/**
 * clerk-webhook/database.ts against the stack's Postgres, as the clerk_webhook role:
 * both modes (a prepared statement; one simple-protocol query with the JSON inlined),
 * the inlined literal against hostile text, the timeout and an unreachable server.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { freePort } from "../../scripts/stack/processes.ts";
import { DatabaseError } from "../../supabase/functions/_shared/errors.ts";
import { ledgerEvent, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { type ApplyDatabase, connectApplyDatabase, sqlLiteral } from "../../supabase/functions/clerk-webhook/database.ts";
import { clerkId, database } from "../support/clients.ts";

const stack = inject("stack");
const db = database(stack);
const modes = ["direct", "pooler"] as const;
const connections = new Map<string, ApplyDatabase>();

beforeAll(() => {
  for (const mode of modes) connections.set(mode, connectApplyDatabase({ url: stack.webhookDbUrl, mode, poolSize: 2, timeoutMs: 5000 }));
});
afterAll(() => Promise.all([...connections.values()].map((c) => c.end())));

const hostile = `O'Brien\\'); drop table public.profiles; -- $$ $x$ \\x00 "quoted" 💥 é\n\ttab`;

describe("sqlLiteral, read back by PostgreSQL", () => {
  it("reads back as exactly the text it quotes, whatever standard_conforming_strings says", async () => {
    const client = await db.connect();
    try {
      const dangerous = fc.string({ unit: fc.constantFrom("'", "\\", "$", ";", "-", "\n", "E", "e", "a", "é", "💥", '"', "\t", "{", "}", " ") });
      const text = fc.oneof(dangerous, fc.string({ unit: "grapheme" }));
      for (const conforming of ["on", "off"]) {
        await client.query(`set standard_conforming_strings = ${conforming}`);
        await fc.assert(fc.asyncProperty(text, async (value) => {
          const { rows } = await client.query(`select ${sqlLiteral(value)}::text as back`);
          expect(rows[0].back).toBe(value);
        }), { numRuns: 300 });
        const { rows } = await client.query(`select ${sqlLiteral(hostile)}::text as back`);
        expect(rows[0].back).toBe(hostile);
      }
    } finally {
      await client.query("reset standard_conforming_strings");
      client.release();
    }
  });
});

describe.each(modes)("apply_clerk_events in %s mode", (mode) => {
  it("applies a group and answers each outcome in order: applied, then duplicate for a redelivery", async () => {
    const users = [userJSON({ firstName: hostile }), userJSON({ firstName: "Grace" })];
    const events = users.map((user) => ledgerEvent(clerkId("msg"), parseEnvelope(envelope("user.created", user)), new Date()));
    const apply = connections.get(mode)!.applyGroup;
    expect(await apply(events)).toEqual(["applied", "applied"]);
    expect(await apply([events[1], events[0]])).toEqual(["duplicate", "duplicate"]);
    const { rows } = await db.query("select clerk_id, first_name from profiles where clerk_id = any($1) order by first_name", [users.map((u) => u.id)]);
    expect(rows).toEqual([{ clerk_id: users[1].id, first_name: "Grace" }, { clerk_id: users[0].id, first_name: hostile }]);
    const { rows: ledger } = await db.query("select payload -> 'data' ->> 'first_name' as name from clerk_events where svix_id = $1", [events[0].svix_id]);
    expect(ledger).toEqual([{ name: hostile }]);
  });

  it("gives up on a group that waits past the timeout, with a DatabaseError, and the server rolls it back", async () => {
    const user = userJSON();
    const created = ledgerEvent(clerkId("msg"), parseEnvelope(envelope("user.created", user)), new Date());
    expect(await connections.get(mode)!.applyGroup([created])).toEqual(["applied"]);
    const short = connectApplyDatabase({ url: stack.webhookDbUrl, mode, poolSize: 1, timeoutMs: 500 });
    const holder = await db.connect();
    try {
      await holder.query("begin");
      await holder.query("select 1 from profiles where clerk_id = $1 for update", [user.id]);
      const update = ledgerEvent(clerkId("msg"), parseEnvelope(envelope("user.updated", { ...user, first_name: "Later", updated_at: Date.now() + 1000 })), new Date());
      const started = performance.now();
      const error = await short.applyGroup([update]).catch((e) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      expect(error.code).toBe("57014");
      expect(performance.now() - started).toBeLessThan(2000);
      // The server's statement_timeout ended the transaction too: the lock is not
      // waited on any longer, and nothing of the group is in the ledger.
      await expect.poll(async () => (await db.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and usename = 'clerk_webhook'")).rows[0].n, { timeout: 3000 }).toBe(0);
      await holder.query("commit");
      expect((await db.query("select 1 from clerk_events where svix_id = $1", [update.svix_id])).rows).toEqual([]);
    } finally {
      holder.release();
      await short.end();
    }
  });
});

describe("an unreachable database", () => {
  it("is a DatabaseError (the webhook answers 500), not a hang", async () => {
    const dead = connectApplyDatabase({ url: `postgres://clerk_webhook:x@127.0.0.1:${await freePort()}/postgres`, mode: "direct", poolSize: 1, timeoutMs: 2000 });
    try {
      const event = ledgerEvent(clerkId("msg"), parseEnvelope(envelope("user.created", userJSON())), new Date());
      const started = performance.now();
      await expect(dead.applyGroup([event])).rejects.toBeInstanceOf(DatabaseError);
      expect(performance.now() - started).toBeLessThan(2500);
    } finally {
      await dead.end();
    }
  });
});

