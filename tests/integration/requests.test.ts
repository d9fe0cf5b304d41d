/**
 * Bad requests get the right 4xx and change no row; failures of ours get a 5xx so Svix
 * retries; each request leaves one structured log line without personal data.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { clerkId, database, newMessage, post, signedHeaders, testSecrets } from "../support/clients.ts";
import { startWebhookFunction } from "../support/function-process.ts";
import { freePort } from "../../scripts/stack/processes.ts";

const stack = inject("stack");
const db = database(stack);

// Other test files share the stack, so "changes no row" is checked for what this
// request names: the user in its body and the message id in its headers.
const badUser = userJSON({ id: "user_2BadInputNeverStored000000", firstName: "Bad", lastName: "Input" });
const validBody = () => JSON.stringify(envelope("user.created", badUser));

async function traces(svixId: string | null) {
  const { rows } = await db.query(
    "select (select count(*) from profiles where clerk_id = $1)::int as profiles, (select count(*) from clerk_events where svix_id = $2 or object_id = $1)::int as events",
    [badUser.id, svixId ?? ""],
  );
  return rows[0];
}

function signedRequest(body: string, overrides: Record<string, string | null> = {}, secret = testSecrets.current): RequestInit {
  const headers: Record<string, string | null> = { ...signedHeaders({ id: clerkId("msg"), body }, secret), ...overrides };
  return { method: "POST", body, headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== null)) as Record<string, string> };
}

function svixIdOf(init: RequestInit): string | null {
  return (init.headers as Record<string, string> | undefined)?.["svix-id"] ?? null;
}

describe("bad requests", () => {
  const cases: Array<[string, () => RequestInit, number, RegExp]> = [
    ["no svix headers", () => ({ method: "POST", body: validBody(), headers: { "content-type": "application/json" } }), 400, /missing svix-id, svix-timestamp, svix-signature header/],
    ["a missing svix-signature", () => signedRequest(validBody(), { "svix-signature": null }), 400, /missing svix-signature header/],
    ["a signature from the wrong secret", () => signedRequest(validBody(), {}, "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA=="), 400, /no matching signature/],
    ["a timestamp 10 minutes old", () => {
      const body = validBody();
      const message = { id: clerkId("msg"), body };
      return { method: "POST", body, headers: signedHeaders(message, testSecrets.current, new Date(Date.now() - 600_000)) };
    }, 400, /outside the 5-minute tolerance/],
    ["a body changed after signing", () => {
      const init = signedRequest(validBody());
      return { ...init, body: (init.body as string).replace("Bad", "Bod") };
    }, 400, /no matching signature/],
    ["a signed body that is not JSON", () => signedRequest("this is not json"), 400, /body is not JSON/],
    ["a signed empty body", () => signedRequest(""), 400, /body is not JSON/],
    ["signed JSON without a type", () => signedRequest(JSON.stringify({ data: { id: "user_1" } })), 400, /invalid event: type must be a non-empty string/],
    ["signed JSON with data as an array", () => signedRequest(JSON.stringify({ type: "user.created", data: [] })), 400, /invalid event: data must be an object/],
    ["a signed user.created whose id is a number", () => signedRequest(JSON.stringify(envelope("user.created", { ...userJSON(), id: 42 }))), 400, /invalid event: data.id must be a string/],
    ["a GET", () => ({ method: "GET" }), 405, /use POST/],
    ["an OPTIONS preflight", () => ({ method: "OPTIONS" }), 405, /use POST/],
  ];

  it.each(cases)("%s is refused and changes no row", async (_, request, status, message) => {
    const init = request();
    const response = await fetch(stack.webhookUrl, init);
    expect(response.status).toBe(status);
    expect((await response.json()).error).toMatch(message);
    expect(await traces(svixIdOf(init))).toEqual({ profiles: 0, events: 0 });
  });

  it("a body over the 1 MiB limit gets 413 from its Content-Length, before it is read", async () => {
    const body = JSON.stringify(envelope("user.created", { ...badUser, bio: "x".repeat(1024 * 1024) }));
    const init = signedRequest(body);
    const response = await fetch(stack.webhookUrl, init);
    expect(response.status).toBe(413);
    expect((await response.json()).error).toBe("body is larger than 1048576 bytes");
    expect(await traces(svixIdOf(init))).toEqual({ profiles: 0, events: 0 });
  });

  it("a chunked body over the limit (no Content-Length) gets 413 too", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(stack.webhookUrl, { ...signedRequest("{}"), body: stream, duplex: "half" } as RequestInit);
    expect(response.status).toBe(413);
  });

  it("the function keeps serving after all of that", async () => {
    const message = newMessage(envelope("user.created", userJSON()));
    expect((await post(stack, message)).status).toBe(200);
  });
});

describe("a failure of ours", () => {
  it("answers 500 when the database cannot be reached, so Svix retries, and stores nothing", async () => {
    const deadDatabase = `postgres://clerk_webhook:x@127.0.0.1:${await freePort()}/postgres`;
    const fn = await startWebhookFunction(stack, { CLERK_WEBHOOK_DB_URL: deadDatabase });
    const message = newMessage(envelope("user.created", userJSON()));
    const response = await fetch(fn.url, { method: "POST", headers: signedHeaders(message, testSecrets.current), body: message.body });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "event not stored; Svix will retry" });
    const { rows } = await db.query("select 1 from clerk_events where svix_id = $1", [message.id]);
    expect(rows).toEqual([]);

    // The retry, to a function that reaches the database, converges.
    expect(await post(stack, message)).toEqual({ status: 200, body: { outcome: "applied" } });
  });
});

describe("CLERK_INSTANCE_ID", () => {
  it("refuses an event from another Clerk instance and accepts its own", async () => {
    const fn = await startWebhookFunction(stack, { CLERK_INSTANCE_ID: "ins_production" });
    const send = (instance: string) => {
      const message = newMessage(envelope("user.created", userJSON(), Date.now(), instance));
      return fetch(fn.url, { method: "POST", headers: signedHeaders(message, testSecrets.current), body: message.body });
    };
    const foreign = await send("ins_development");
    expect(foreign.status).toBe(400);
    expect((await foreign.json()).error).toBe("event is from another Clerk instance than CLERK_INSTANCE_ID");
    expect((await send("ins_production")).status).toBe(200);
    expect(await fn.log()).toMatch(/"error":"event is from another Clerk instance/);
  });
});

describe("logs", () => {
  it("one JSON line per request with id, type, outcome and time, and no emails, secrets or payloads", async () => {
    const user = userJSON({ firstName: "Private", lastName: "Person", email: "private.person@example.com" });
    const message = newMessage(envelope("user.created", user));
    await post(stack, message);
    const log = await readFile(join(stack.stateDir, "logs/function-clerk-webhook.log"), "utf8");
    const line = log.split("\n").find((l) => l.includes(message.id));
    expect(JSON.parse(line!)).toEqual({ msg: "clerk-webhook", svix_id: message.id, type: "user.created", outcome: "applied", status: 200, ms: expect.any(Number) });
    expect(log).not.toContain("private.person@example.com");
    expect(log).not.toContain("Private");
    expect(log).not.toContain(testSecrets.current.slice(6));
  });
});

describe("LEDGER_PAYLOADS=failed", () => {
  it("keeps no payload for an applied event, and the payload of a failed one", async () => {
    const fn = await startWebhookFunction(stack, { LEDGER_PAYLOADS: "failed" });
    const send = (event: unknown) => {
      const message = newMessage(event);
      return fetch(fn.url, { method: "POST", headers: signedHeaders(message, testSecrets.current), body: message.body }).then((r) => ({ status: r.status, id: message.id }));
    };
    const applied = await send(envelope("user.created", userJSON({ firstName: "Lean" })));
    expect(applied.status).toBe(200);

    const poison = userJSON({ username: `lean_poison_${Date.now()}` });
    await db.query(`alter table profiles add constraint test_lean_poison check (username is distinct from '${poison.username}') not valid`);
    let failed;
    try {
      failed = await send(envelope("user.created", poison));
    } finally {
      await db.query("alter table profiles drop constraint test_lean_poison");
    }
    expect(failed.status).toBe(422);

    const { rows } = await db.query("select svix_id, outcome, payload is not null as kept from clerk_events where svix_id = any($1) order by outcome", [[applied.id, failed.id]]);
    expect(rows).toEqual([
      { svix_id: applied.id, outcome: "applied", kept: false },
      { svix_id: failed.id, outcome: "failed", kept: true },
    ]);
  });
});
