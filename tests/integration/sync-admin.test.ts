/**
 * The clerk-sync-admin function on the run's stack, through the gateway as a browser or
 * monitor reaches it: who may replay (the database decides, with the caller's own
 * token), what an unknown or settled id answers, and a replay that repairs a failed
 * event exactly as `npm run clerk -- replay-failed` does.
 */
import { describe, expect, inject, it } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { clerkId, database, devToken, newMessage, post, serviceClient } from "../support/clients.ts";

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

/**
 * A user.created that the database refuses: a NOT VALID check constraint that only
 * this username breaks, as a later migration might add. Returns the message, with the
 * constraint still in place; `fix()` drops it.
 */
async function failedUserCreated(name: string) {
  const user = userJSON({ firstName: "Poison", lastName: name, username: `poison_${name}_${tag}` });
  const constraint = `test_sync_admin_${name}_${tag}`;
  await db.query(`alter table profiles add constraint ${constraint} check (username is distinct from '${user.username}') not valid`);
  const message = newMessage(envelope("user.created", user, user.created_at));
  try {
    expect((await post(stack, message)).status).toBe(422);
  } catch (error) {
    await db.query(`alter table profiles drop constraint ${constraint}`);
    throw error;
  }
  return { user, message, fix: () => db.query(`alter table profiles drop constraint if exists ${constraint}`) };
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
    const failed = await failedUserCreated("member");
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
    const failed = await failedUserCreated("admin");
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

  it("refuses another site's page (SYNC_ADMIN_ALLOWED_ORIGINS is unset: loopback only)", async () => {
    const { status, headers } = await replay(clerkId("msg"), await adminToken(), { origin: "https://evil.example" });
    expect(status).toBe(403);
    expect(headers.get("access-control-allow-origin")).toBeNull();
  });
});
