/**
 * The clerk-sync-admin function on the run's stack, through the gateway as a browser or
 * monitor reaches it: who may replay (the database decides, with the caller's own
 * token), what an unknown or settled id answers, and a replay that repairs a failed
 * event exactly as `npm run clerk -- replay-failed` does.
 */
import { describe, expect, inject, it } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { clerkId, database, devToken, newMessage, post, serviceClient } from "../support/clients.ts";
import { failedUserCreated } from "../support/failed-events.ts";

const stack = inject("stack");
const db = database(stack);
const replayUrl = `${stack.apiUrl}/functions/v1/clerk-sync-admin/replay`;
const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;

async function replay(svixId: string, token?: string, headers: Record<string, string> = {}) {
  const response = await fetch(replayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ svix_id: svixId }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const adminToken = () => devToken(stack, clerkId("user"), { claims: { metadata: { role: "admin" } } });

async function ledger(svixId: string) {
  const { rows } = await db.query("select outcome::text, attempts, error from clerk_events where svix_id = $1", [svixId]);
  return rows[0] ?? null;
}

describe("who may replay", () => {
  it("refuses a caller without a token: 401", async () => {
    const { status, body } = await replay(clerkId("msg"));
    expect(status).toBe(401);
    expect(body.error).toMatch(/sign in/);
  });

  it("refuses the anon key as a token: 401 (anon may not even ask)", async () => {
    expect((await replay(clerkId("msg"), stack.anonKey)).status).toBe(401);
  });

  it("refuses a token PostgREST does not accept: 401", async () => {
    const token = await adminToken();
    const [header, payload] = token.split(".");
    expect((await replay(clerkId("msg"), `${header}.${payload}.c2lnbmF0dXJl`)).status).toBe(401);
  });

  it("refuses a signed-in user who is not an admin: 403, and replays nothing", async () => {
    const failed = await failedUserCreated(stack, db, "member");
    try {
      const member = await devToken(stack, clerkId("user"), { claims: { metadata: { role: "member" } } });
      const { status, body } = await replay(failed.message.id, member);
      expect(status).toBe(403);
      expect(body.error).toMatch(/admins only/);
      // An admin claim outside `metadata` (which users can set through unsafe metadata templates, say) is not one.
      expect((await replay(failed.message.id, await devToken(stack, clerkId("user"), { claims: { role_admin: true, admin: true } }))).status).toBe(403);
    } finally {
      await failed.fix();
    }
    expect(await ledger(failed.message.id)).toMatchObject({ outcome: "failed", attempts: 1 });
  });
});

describe("an admin", () => {
  it("gets 404 for an id the ledger does not have", async () => {
    const { status, body } = await replay(clerkId("msg"), await adminToken());
    expect(status).toBe(404);
    expect(body.error).toMatch(/no event msg_/);
  });

  it("gets 409 for an event that is not failed, and nothing is applied again", async () => {
    const user = userJSON({ firstName: "Settled", lastName: tag });
    const message = newMessage(envelope("user.created", user, user.created_at));
    expect((await post(stack, message)).status).toBe(200);
    const { status, body } = await replay(message.id, await adminToken());
    expect(status).toBe(409);
    expect(body).toMatchObject({ svix_id: message.id, outcome: "applied" });
    expect(await ledger(message.id)).toMatchObject({ outcome: "applied", attempts: 1 });
  });

  it("replays a failed event: failed again before the fix, applied after it, then settled", async () => {
    const failed = await failedUserCreated(stack, db, "admin");
    const token = await adminToken();
    try {
      expect(await replay(failed.message.id, token)).toMatchObject({ status: 200, body: { svix_id: failed.message.id, outcome: "failed" } });
      expect(await ledger(failed.message.id)).toMatchObject({ outcome: "failed", attempts: 2 });
    } finally {
      await failed.fix();
    }

    expect(await replay(failed.message.id, token)).toMatchObject({ status: 200, body: { svix_id: failed.message.id, outcome: "applied" } });
    expect(await ledger(failed.message.id)).toMatchObject({ outcome: "applied", attempts: 3, error: null });
    const { data } = await serviceClient(stack).from("profiles").select("username").eq("clerk_id", failed.user.id).single();
    expect(data).toEqual({ username: failed.user.username });

    // A second click, or a second admin: nothing is applied twice.
    expect((await replay(failed.message.id, token)).status).toBe(409);
  });
});

describe("CORS", () => {
  it("answers a local dashboard's preflight and puts the origin on the answer", async () => {
    const origin = "http://127.0.0.1:41999";
    const preflight = await fetch(replayUrl, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, apikey, content-type, x-client-info" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    const { status, headers } = await replay(clerkId("msg"), await adminToken(), { origin });
    expect(status).toBe(404);
    expect(headers.get("access-control-allow-origin")).toBe(origin);
  });

  it("refuses another site's page (the local stack sets SYNC_ADMIN_ALLOWED_ORIGINS=loopback)", async () => {
    const { status, headers } = await replay(clerkId("msg"), await adminToken(), { origin: "https://evil.example" });
    expect(status).toBe(403);
    expect(headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("POST /discard", () => {
  const discardUrl = `${stack.apiUrl}/functions/v1/clerk-sync-admin/discard`;
  async function discard(svixId: string, token?: string, reason?: string) {
    const response = await fetch(discardUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ svix_id: svixId, reason }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("refuses a stranger (401) and a member (403), and the event stays failed", async () => {
    const failed = await failedUserCreated(stack, db, "discardmember");
    await failed.fix();
    expect((await discard(failed.message.id)).status).toBe(401);
    const member = await devToken(stack, clerkId("user"), { claims: { metadata: { role: "member" } } });
    expect((await discard(failed.message.id, member)).status).toBe(403);
    expect(await ledger(failed.message.id)).toMatchObject({ outcome: "failed" });
    // Leave the shared ledger as it was: replay it, now that it applies.
    expect((await replay(failed.message.id, await adminToken())).body).toMatchObject({ outcome: "applied" });
  });

  it("lets an admin discard a failed event, recorded as theirs and audited; then it can be neither replayed nor discarded", async () => {
    const failed = await failedUserCreated(stack, db, "discard");
    const adminId = clerkId("user");
    const token = await devToken(stack, adminId, { claims: { metadata: { role: "admin" } } });
    try {
      const { status, body } = await discard(failed.message.id, token, "the username is banned on purpose");
      expect(status).toBe(200);
      expect(body).toMatchObject({ svix_id: failed.message.id, outcome: "discarded", discarded_by: adminId });
    } finally {
      await failed.fix();
    }
    const { rows } = await db.query("select outcome::text, discarded_by from clerk_events where svix_id = $1", [failed.message.id]);
    expect(rows[0]).toEqual({ outcome: "discarded", discarded_by: adminId });
    const audit = await db.query("select action, actor, reason from clerk_event_audit where svix_id = $1", [failed.message.id]);
    expect(audit.rows).toEqual([{ action: "discard", actor: adminId, reason: "the username is banned on purpose" }]);

    expect(await replay(failed.message.id, token)).toMatchObject({ status: 409, body: { outcome: "discarded" } });
    expect(await discard(failed.message.id, token)).toMatchObject({ status: 409, body: { outcome: "discarded" } });
    expect((await discard(clerkId("msg"), token)).status).toBe(404);
    const { data } = await serviceClient(stack).from("profiles").select("clerk_id").eq("clerk_id", failed.user.id);
    expect(data, "a discarded event is never applied").toEqual([]);
  });
});
