/**
 * Issue 10, finding 5: two holes in clerk-sync-admin, each tried again here.
 *
 *   - Replay ids: `{"svix_id":"zz\",msg_x,\"yy"}` replayed msg_x, because the ledger was
 *     read with an `in` filter built from the raw id. Ids are now checked
 *     (^[A-Za-z0-9_:.-]{1,256}$) and anything else is answered 400 with nothing read.
 *   - Admin origins: without SYNC_ADMIN_ALLOWED_ORIGINS, a deployed function accepted any
 *     http://localhost:* page. It now accepts no browser origin until one is configured,
 *     and says so once in its log. (The local stack sets `loopback` itself.)
 */
import { describe, expect, inject, it } from "vitest";
import { clerkId, database, devToken } from "../support/clients.ts";
import { failedUserCreated } from "../support/failed-events.ts";
import { startFunctionProcess } from "../support/function-process.ts";

const stack = inject("stack");
const db = database(stack);
const replayUrl = `${stack.apiUrl}/functions/v1/clerk-sync-admin/replay`;
const adminToken = () => devToken(stack, clerkId("user"), { claims: { metadata: { role: "admin" } } });

async function replay(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function ledger(svixId: string) {
  const { rows } = await db.query("select outcome::text, attempts from clerk_events where svix_id = $1", [svixId]);
  return rows[0] ?? null;
}

describe("replay ids that smuggle a filter", () => {
  it("are refused with 400, and the failed event they name is not replayed", async () => {
    const failed = await failedUserCreated(stack, db, "smuggled");
    const token = await adminToken();
    const target = failed.message.id;
    try {
      for (const svixId of [`zz",${target},"yy`, `${target},msg_other`, `(${target})`, `${target}"`, `${target} `, "", "x".repeat(257)]) {
        const { status, body } = await replay(replayUrl, JSON.stringify({ svix_id: svixId }), { authorization: `Bearer ${token}` });
        expect(status, JSON.stringify(svixId)).toBe(400);
        expect(body.error).toMatch(/is not a message id/);
      }
      expect(await ledger(target), "the target was not touched").toEqual({ outcome: "failed", attempts: 1 });
    } finally {
      await failed.fix();
    }
    // The id itself still replays (and leaves the ledger clean for the other tests).
    expect(await replay(replayUrl, JSON.stringify({ svix_id: target }), { authorization: `Bearer ${token}` }))
      .toMatchObject({ status: 200, body: { svix_id: target, outcome: "applied" } });
  });
});

describe("a deployed clerk-sync-admin without SYNC_ADMIN_ALLOWED_ORIGINS", () => {
  it("accepts no browser origin, not even a localhost one, and says so once at start", async () => {
    const fn = await startFunctionProcess(stack, "clerk-sync-admin");
    const url = `${fn.url}replay`;
    const token = await adminToken();
    for (const origin of ["http://localhost:5173", "http://127.0.0.1:5173", "http://[::1]:3000", "https://admin.example.com"]) {
      const preflight = await fetch(url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
      expect(preflight.status, `preflight from ${origin}`).toBe(403);
      expect(preflight.headers.get("access-control-allow-origin"), `preflight from ${origin}`).toBeNull();
      const { status, headers, body } = await replay(url, JSON.stringify({ svix_id: clerkId("msg") }), { origin, authorization: `Bearer ${token}` });
      expect(status, `POST from ${origin}`).toBe(403);
      expect(headers.get("access-control-allow-origin")).toBeNull();
      expect(body.error).toMatch(/SYNC_ADMIN_ALLOWED_ORIGINS/);
    }
    // Callers without a browser send no Origin: the admin check and the ledger still answer.
    expect((await replay(url, JSON.stringify({ svix_id: clerkId("msg") }), { authorization: `Bearer ${token}` })).status).toBe(404);

    const log = await fn.log();
    expect(log.split("SYNC_ADMIN_ALLOWED_ORIGINS is not set").length - 1, log).toBe(1);
  });
});
