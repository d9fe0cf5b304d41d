/**
 * clerk-sync-self, the on-demand sync of the caller's own user, on the run's stack:
 * real Deno processes of the function, its own fake Clerk Backend API (so a test can
 * change "Clerk" without sending the webhook, and make Clerk fail), the real database
 * checking every token. What it proves: the pull and the webhook race harmlessly in
 * every order, deletions stick, the cost is bounded across instances, and a token only
 * ever syncs its own user.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateKeyPair, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bin, repoRoot } from "../../scripts/lib/paths.ts";
import { type FakeClerkApi, fakeSecretKey, startFakeClerkApi } from "../../scripts/simulator/fake-api.ts";
import { deletedJSON, envelope, membershipJSON, organizationJSON, sessionJSON, userJSON, type UserJSON } from "../../scripts/simulator/payloads.ts";
import type { ClerkState } from "../../scripts/simulator/state.ts";
import { profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import { clerkId, database, devToken, newMessage, post } from "../support/clients.ts";
import { startFunctionProcess } from "../support/function-process.ts";

const stack = inject("stack");
const db = database(stack);
const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;

/** What the fake Clerk holds; tests change it without delivering any webhook. */
const clerk: ClerkState = { users: {}, organizations: {}, memberships: {} };
let api: FakeClerkApi;
/** The function with a 1 s interval, so a test can pull the same user twice. */
let fn: { url: string };

beforeAll(async () => {
  api = await startFakeClerkApi({ state: () => clerk });
  fn = await startFunctionProcess(stack, "clerk-sync-self", selfSyncEnv({ SELF_SYNC_INTERVAL_SECONDS: "1" }), afterAll);
}, 120_000);
afterAll(() => api?.stop());

function selfSyncEnv(env: Record<string, string> = {}, clerkApi: { url: string; secretKey: string } = api) {
  return { CLERK_API_URL: clerkApi.url, CLERK_SECRET_KEY: clerkApi.secretKey, ...env };
}

let seq = 0;
/** A user in "Clerk" only: no webhook is sent. */
function clerkUser(fields: Partial<UserJSON> = {}): UserJSON {
  const user = { ...userJSON({ firstName: "Pat", lastName: `Pull${seq++}`, username: `pull_${tag}_${seq}`, createdAt: Date.now() - 60_000 }), ...fields };
  clerk.users[user.id] = user;
  return user;
}

async function pull(sub: string, options: { url?: string; token?: string | null; body?: string } = {}) {
  const token = options.token === undefined ? await devToken(stack, sub) : options.token;
  const response = await fetch(options.url ?? fn.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: options.body ?? "{}",
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function profile(id: string) {
  const { rows } = await db.query(
    "select clerk_id, username, first_name, last_name, image_url, email, public_metadata, clerk_created_at, clerk_updated_at, event_id, deleted_at from profiles where clerk_id = $1",
    [id],
  );
  return rows[0] ?? null;
}

/** The ledger's entries for one object, oldest first. */
async function ledgerOf(objectId: string) {
  const { rows } = await db.query("select svix_id, type, outcome::text from clerk_events where object_id = $1 order by received_at, svix_id", [objectId]);
  return rows as Array<{ svix_id: string; type: string; outcome: string }>;
}

/** The row as the mappers would write `user`: the Clerk-owned columns, compared as the database returns them. */
function expectRowOf(row: Record<string, unknown> | null, user: UserJSON) {
  const mapped = profileFromUser(user);
  expect(row, `a row for ${user.id}`).not.toBeNull();
  expect({ ...row, clerk_created_at: (row!.clerk_created_at as Date).toISOString(), clerk_updated_at: (row!.clerk_updated_at as Date).toISOString() })
    .toMatchObject({ ...mapped, deleted_at: null });
}

const userCreated = (user: UserJSON) => newMessage(envelope("user.created", user, user.updated_at));
const pullId = (user: UserJSON) => `pull:${user.id}:${user.updated_at}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a user who exists only in Clerk", () => {
  it("signs in and gets their row, organization and membership from the pull; user.created arriving later is stale and changes nothing", async () => {
    const user = clerkUser();
    const org = organizationJSON({ name: `Pull Org ${tag}`, createdBy: user.id });
    clerk.organizations[org.id] = org;
    const membership = membershipJSON({ organization: org, user, role: "org:admin" });
    clerk.memberships[membership.id] = membership;
    expect(await profile(user.id)).toBeNull();

    expect(await pull(user.id)).toMatchObject({ status: 200, body: { result: "synced", user_id: user.id, outcome: "applied", memberships: 1 } });
    expectRowOf(await profile(user.id), user);
    const { rows: [orgRow] } = await db.query("select name, deleted_at from organizations where clerk_id = $1", [org.id]);
    expect(orgRow).toEqual({ name: org.name, deleted_at: null });
    const { rows: [memberRow] } = await db.query("select role, user_id, deleted_at from organization_memberships where clerk_id = $1", [membership.id]);
    expect(memberRow).toEqual({ role: "org:admin", user_id: user.id, deleted_at: null });

    const late = userCreated(user);
    expect(await post(stack, late)).toEqual({ status: 200, body: { outcome: "stale" } });
    expect((await profile(user.id)).event_id).toBe(pullId(user));
    expect(await ledgerOf(user.id)).toEqual([
      { svix_id: pullId(user), type: "user.updated", outcome: "applied" },
      { svix_id: late.id, type: "user.created", outcome: "stale" },
    ]);
    const { rows: [{ source }] } = await db.query("select source from clerk_events where svix_id = $1", [pullId(user)]);
    expect(source, "a pull is not a webhook: sync_health does not count it").toBe("pull");
  });

  it("pulling the same version again is a duplicate", async () => {
    const user = clerkUser();
    expect((await pull(user.id)).body.outcome).toBe("applied");
    await sleep(1100);
    expect(await pull(user.id)).toMatchObject({ status: 200, body: { result: "synced", outcome: "duplicate" } });
  });
});

describe("the pull racing the webhook", () => {
  it("of the same version, webhook first: one row, the same data, and a ledger entry for each", async () => {
    const user = clerkUser();
    const webhook = userCreated(user);
    expect((await post(stack, webhook)).body).toEqual({ outcome: "applied" });
    // Equal clocks are the same version: the tie goes to the pull's id, which sorts last.
    expect((await pull(user.id)).body).toMatchObject({ result: "synced", outcome: "applied" });
    expectRowOf(await profile(user.id), user);
    expect(await ledgerOf(user.id)).toEqual([
      { svix_id: webhook.id, type: "user.created", outcome: "applied" },
      { svix_id: pullId(user), type: "user.updated", outcome: "applied" },
    ]);
  });

  it("of the same version, at the same time: the same row whichever lands first", async () => {
    const users = Array.from({ length: 6 }, () => clerkUser());
    const webhooks = users.map(userCreated);
    const answers = await Promise.all(users.flatMap((user, i) => [pull(user.id), post(stack, webhooks[i])]));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    for (const [i, user] of users.entries()) {
      expectRowOf(await profile(user.id), user);
      expect((await profile(user.id)).event_id, "the pull wins the tie in either order").toBe(pullId(user));
      expect((await ledgerOf(user.id)).map((entry) => entry.svix_id).sort()).toEqual([webhooks[i].id, pullId(user)].sort());
    }
    const { rows: [{ count }] } = await db.query("select count(*)::int from profiles where clerk_id = any($1)", [users.map((u) => u.id)]);
    expect(count).toBe(6);
  });

  it.each(["webhook first", "pull first", "at the same time"])("a pull of an older version never beats a newer webhook: %s", async (order) => {
    const user = clerkUser();
    // Clerk's API still serves the version before; the webhook brings the next one.
    const newer = { ...user, first_name: "Newer", updated_at: user.updated_at + 5000 };
    const webhook = newMessage(envelope("user.updated", newer, newer.updated_at));
    if (order === "webhook first") {
      expect((await post(stack, webhook)).body).toEqual({ outcome: "applied" });
      expect((await pull(user.id)).body).toMatchObject({ result: "synced", outcome: "stale" });
    } else if (order === "pull first") {
      expect((await pull(user.id)).body).toMatchObject({ result: "synced", outcome: "applied" });
      expect((await post(stack, webhook)).body).toEqual({ outcome: "applied" });
    } else {
      const [pulled, posted] = await Promise.all([pull(user.id), post(stack, webhook)]);
      expect([pulled.status, posted.status]).toEqual([200, 200]);
    }
    expectRowOf(await profile(user.id), newer);
    expect((await ledgerOf(user.id)).map((entry) => entry.svix_id).sort()).toEqual([webhook.id, pullId(user)].sort());
  });
});

describe("a user deleted in Clerk", () => {
  it("is tombstoned by their own pull, clocked when Clerk said 404, and the answer says deleted", async () => {
    const user = clerkUser();
    expect((await post(stack, userCreated(user))).body).toEqual({ outcome: "applied" });
    delete clerk.users[user.id];
    const before = Date.now();

    expect(await pull(user.id)).toMatchObject({ status: 200, body: { result: "deleted", user_id: user.id, outcome: "applied" } });
    const row = await profile(user.id);
    expect(row.deleted_at).not.toBeNull();
    expect(row.first_name, "a tombstone keeps no Clerk data").toBeNull();
    const [, gone] = await ledgerOf(user.id);
    expect(gone).toMatchObject({ type: "user.deleted", outcome: "applied" });
    expect(Number(gone.svix_id.split(":gone:")[1])).toBeGreaterThanOrEqual(before);
  });

  it("never comes back through a pull, even while Clerk's API still serves the old version", async () => {
    const user = clerkUser();
    expect((await pull(user.id)).body.outcome).toBe("applied");
    const deletion = newMessage(envelope("user.deleted", deletedJSON("user", user.id), user.updated_at + 1000));
    expect((await post(stack, deletion)).body).toEqual({ outcome: "applied" });

    await sleep(1100);
    expect((await pull(user.id)).body).toMatchObject({ result: "synced", outcome: "duplicate" });
    expect((await profile(user.id)).deleted_at).not.toBeNull();

    delete clerk.users[user.id];
    await sleep(1100);
    expect((await pull(user.id)).body).toMatchObject({ result: "deleted" });
    expect((await profile(user.id)).deleted_at).not.toBeNull();
  });
});

describe("bounded cost", () => {
  it("one pull per user per interval, across two function instances", async () => {
    const [a, b] = await Promise.all([
      startFunctionProcess(stack, "clerk-sync-self", selfSyncEnv()),
      startFunctionProcess(stack, "clerk-sync-self", selfSyncEnv()),
    ]);
    const user = clerkUser();
    const requestsBefore = api.requests.length;
    expect((await pull(user.id, { url: a.url })).status).toBe(200);
    const second = await pull(user.id, { url: b.url });
    expect(second.status).toBe(429);
    const retryAfter = Number(second.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(28);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(second.body.error).toMatch(/try again in \d+ s/);
    // Another user is not held back by this one's pull.
    expect((await pull(clerkUser().id, { url: b.url })).status).toBe(200);

    // At once on both instances: exactly one pull runs.
    const racer = clerkUser();
    const answers = await Promise.all([a, b, a, b].map((instance) => pull(racer.id, { url: instance.url })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 429, 429, 429]);
    const clerkCalls = api.requests.slice(requestsBefore).filter((r) => r.path.includes(racer.id));
    expect(clerkCalls, "the user and their memberships, once").toHaveLength(2);
  });

  it("Clerk's 429 becomes 503 with Clerk's Retry-After, and nothing is written", async () => {
    const user = clerkUser();
    api.failNext(1, { status: 429, path: new RegExp(`^/v1/users/${user.id}$`), retryAfterSeconds: 45 });
    const answer = await pull(user.id);
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("45");
    expect(answer.body.error).toBe("Clerk is not answering right now (429): try again in 45 s");
    expect(await profile(user.id)).toBeNull();
  });

  it.each([500, 502, 503])("Clerk's %i becomes 503 with Retry-After, and nothing is written", async (status) => {
    const user = clerkUser();
    api.failNext(1, { status, path: new RegExp(`^/v1/users/${user.id}/organization_memberships$`) });
    const answer = await pull(user.id);
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("1");
    expect(answer.body.error).toMatch(/Clerk is not answering/);
    expect(await profile(user.id)).toBeNull();
  });

  it("a Clerk that cannot be reached is 503 too; a wrong secret key is 502", async () => {
    const closed = await startFakeClerkApi({ state: () => clerk });
    await closed.stop();
    const unreachable = await startFunctionProcess(stack, "clerk-sync-self", selfSyncEnv({}, closed));
    const user = clerkUser();
    expect((await pull(user.id, { url: unreachable.url })).status).toBe(503);

    const wrongKey = await startFunctionProcess(stack, "clerk-sync-self", selfSyncEnv({}, { url: api.url, secretKey: "sk_test_wrong" }));
    const refused = await pull(clerkUser().id, { url: wrongKey.url });
    expect(refused).toMatchObject({ status: 502, body: { error: expect.stringMatching(/CLERK_SECRET_KEY/) } });
  });
});

describe("who may sync", () => {
  let keys: { sessionPrivateJwk: Record<string, unknown>; sessionKid: string };
  beforeAll(async () => {
    keys = JSON.parse(await readFile(join(stack.stateDir, "keys.json"), "utf8"));
  });

  async function sessionKeyToken(sub: string, { issuer = `${stack.apiUrl}/dev`, expiresIn = 600 } = {}) {
    const key = await importJWK(keys.sessionPrivateJwk, "RS256");
    const now = Math.floor(Date.now() / 1000);
    return await new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "RS256", kid: keys.sessionKid }).setSubject(sub)
      .setIssuer(issuer).setIssuedAt(now - 1200).setExpirationTime(now + expiresIn).sign(key);
  }

  it.each([
    ["no token", async () => null],
    ["the anon key", async () => stack.anonKey],
    ["the service-role key", async () => stack.serviceRoleKey],
    ["an expired token", (sub: string) => sessionKeyToken(sub, { expiresIn: -600 })],
    ["a token of another issuer", (sub: string) => sessionKeyToken(sub, { issuer: "https://evil.example.com" })],
    ["a token signed by a foreign key", async (sub: string) => {
      const { privateKey } = await generateKeyPair("RS256");
      return await new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "RS256" }).setSubject(sub).setExpirationTime("1h").sign(privateKey);
    }],
    ["a signed-in token without a sub", async () => {
      const key = await importJWK(keys.sessionPrivateJwk, "RS256");
      return await new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "RS256", kid: keys.sessionKid })
        .setIssuer(`${stack.apiUrl}/dev`).setExpirationTime("10m").sign(key);
    }],
  ])("refuses %s with 401, and asks Clerk nothing", async (_, token) => {
    const user = clerkUser();
    const requestsBefore = api.requests.length;
    const answer = await pull(user.id, { token: await token(user.id) });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatch(/sign in|not accepted/);
    expect(api.requests.length).toBe(requestsBefore);
    expect(await profile(user.id)).toBeNull();
  });

  it("a token for one user syncs that user only, whatever the body names", async () => {
    const victim = clerkUser({ first_name: "Victim" });
    const mallory = clerkUser({ first_name: "Mallory" });
    const requestsBefore = api.requests.length;
    const answer = await pull(mallory.id, { body: JSON.stringify({ user_id: victim.id, sub: victim.id, clerk_id: victim.id }) });
    expect(answer.body).toMatchObject({ result: "synced", user_id: mallory.id });
    expect(await profile(victim.id)).toBeNull();
    expect(api.requests.slice(requestsBefore).every((r) => r.path.includes(mallory.id) && !r.path.includes(victim.id))).toBe(true);
  });
});

describe("session.created", () => {
  it("with the user embedded, updates a stale row, clocked by the user's own updated_at", async () => {
    const user = clerkUser();
    expect((await post(stack, userCreated(user))).body).toEqual({ outcome: "applied" });
    const renamed = { ...user, first_name: "Renamed", updated_at: user.updated_at + 2000 };
    const signIn = newMessage(envelope("session.created", sessionJSON({ userId: user.id, user: renamed, now: renamed.updated_at + 60_000 }), renamed.updated_at + 60_000));
    expect(await post(stack, signIn)).toEqual({ status: 200, body: { outcome: "applied" } });
    expectRowOf(await profile(user.id), renamed);

    // A sign-in that carries an older user than the row is stale, whatever the session's own time.
    const older = newMessage(envelope("session.created", sessionJSON({ userId: user.id, user, now: Date.now() }), Date.now()));
    expect((await post(stack, older)).body).toEqual({ outcome: "stale" });
    expectRowOf(await profile(user.id), renamed);

    const { rows: [stored] } = await db.query("select payload from clerk_events where svix_id = $1", [signIn.id]);
    expect(JSON.stringify(stored.payload), "the ledger keeps no private metadata of the embedded user").not.toContain("stripe_customer_id");
  });

  it("without a user, is ignored", async () => {
    const user = clerkUser();
    const signIn = newMessage(envelope("session.created", sessionJSON({ userId: user.id }), Date.now()));
    expect(await post(stack, signIn)).toEqual({ status: 200, body: { outcome: "ignored" } });
    expect(await profile(user.id)).toBeNull();
  });
});

describe("the local stack", () => {
  /** GET on the stack's fake Backend API with this Host header and key. */
  const askFakeApi = (host: string, key: string) =>
    new Promise<number>((done, fail) => {
      const url = new URL("/v1/users?limit=1", stack.clerkApiUrl);
      http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { host, authorization: `Bearer ${key}` } }, (response) => {
        response.resume();
        done(response.statusCode ?? 0);
      }).on("error", fail);
    });

  it("runs a fake Backend API that takes only its own key, new on every start, and only loopback host names", async () => {
    const { host } = new URL(stack.clerkApiUrl);
    expect(await askFakeApi(host, stack.clerkSecretKey)).toBe(200);
    expect(await askFakeApi(host, fakeSecretKey), "the published key of `npm run clerk -- fake-api`").toBe(401);
    expect(await askFakeApi("rebound.attacker.example", stack.clerkSecretKey), "DNS rebinding").toBe(403);
  });

  it("`send user.created --no-deliver` changes Clerk only; the stack's own clerk-sync-self pulls that user through the gateway", async () => {
    const { stdout } = await promisify(execFile)(bin("tsx"), ["scripts/clerk.ts", "send", "user.created", "--no-deliver", "--set", "first_name=Grace"], {
      cwd: repoRoot,
      env: { ...process.env, STACK_DIR: stack.stateDir },
    });
    expect(stdout).toMatch(/^✓ user\.created: changed in Clerk/);
    const id = /^ {2}user (user_\w+)/m.exec(stdout)?.[1];
    expect(id, stdout).toBeDefined();
    expect(stdout).toContain("no webhook sent");
    expect(await profile(id!), "no webhook reached the database").toBeNull();

    const answer = await pull(id!, { url: `${stack.apiUrl}/functions/v1/clerk-sync-self` });
    expect(answer).toMatchObject({ status: 200, body: { result: "synced", outcome: "applied" } });
    expect((await profile(id!)).first_name).toBe("Grace");
  });
});
