/**
 * Row-level security and grants, through PostgREST with real tokens: what a user may
 * do, and, for every rule, an attempt to break it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { SignJWT, generateKeyPair, importJWK } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { anonClient, clerkId, devToken, newMessage, post, serviceClient, userClient } from "../support/clients.ts";
import { createNodeClient } from "../../scripts/lib/supabase.ts";

const stack = inject("stack");
const service = serviceClient(stack);
const alice = userJSON({ firstName: "Alice", lastName: "Owner", username: `alice${Date.now()}`, email: "alice.private@example.com" });
const bob = userJSON({ firstName: "Bob", lastName: "Other", username: `bob${Date.now()}`, email: "bob.private@example.com" });

beforeAll(async () => {
  for (const user of [alice, bob]) {
    expect((await post(stack, newMessage(envelope("user.created", user)))).status).toBe(200);
  }
  await service.from("profiles").update({ birthday: "1990-04-01", birthday_public: false }).eq("clerk_id", bob.id);
});

describe("the owner", () => {
  it("reads all of their own row, email included", async () => {
    const client = await userClient(stack, alice.id);
    const { data, error } = await client.from("profiles").select("*").eq("clerk_id", alice.id).single();
    expect(error).toBeNull();
    expect(data).toMatchObject({ clerk_id: alice.id, email: "alice.private@example.com" });
  });

  it("updates bio, birthday, birthday_public and country", async () => {
    const client = await userClient(stack, alice.id);
    const { data, error } = await client.from("profiles")
      .update({ bio: "Hello", birthday: "1985-12-10", birthday_public: true, country: "SE" })
      .eq("clerk_id", alice.id).select("bio, birthday, birthday_public, country").single();
    expect(error).toBeNull();
    expect(data).toEqual({ bio: "Hello", birthday: "1985-12-10", birthday_public: true, country: "SE" });
  });

  it.each([
    ["a bio over 500 characters", { bio: "x".repeat(501) }, "23514"],
    ["a birthday in the future", { birthday: "2999-01-01" }, "23514"],
    ["a birthday before 1900", { birthday: "1899-12-31" }, "23514"],
    ["a country that is not ISO 3166-1", { country: "ZZ" }, "23503"],
    ["a lower-case country", { country: "se" }, "23503"],
  ])("cannot save %s", async (_, fields, code) => {
    const client = await userClient(stack, alice.id);
    const { error } = await client.from("profiles").update(fields).eq("clerk_id", alice.id);
    expect(error?.code).toBe(code);
  });

  it.each([
    ["first_name", { first_name: "Mallory" }],
    ["email", { email: "takeover@example.com" }],
    ["public_metadata", { public_metadata: { admin: true } }],
    ["event_at", { event_at: "2999-01-01T00:00:00Z" }],
    ["deleted_at", { deleted_at: "2020-01-01T00:00:00Z" }],
    ["clerk_id", { clerk_id: "user_stolen" }],
  ])("cannot write the Clerk-owned or bookkeeping column %s", async (_, fields) => {
    const client = await userClient(stack, alice.id);
    const { error } = await client.from("profiles").update(fields).eq("clerk_id", alice.id);
    expect(error?.code).toBe("42501");
    const { data } = await service.from("profiles").select("first_name, email, deleted_at, clerk_id").eq("clerk_id", alice.id).single();
    expect(data).toMatchObject({ first_name: "Alice", email: "alice.private@example.com", deleted_at: null });
  });
});

describe("another user", () => {
  it("cannot update someone else's row: no row matches", async () => {
    const client = await userClient(stack, alice.id);
    const { data, error } = await client.from("profiles").update({ bio: "pwned" }).eq("clerk_id", bob.id).select();
    expect(error).toBeNull();
    expect(data).toEqual([]);
    const { data: bobRow } = await service.from("profiles").select("bio").eq("clerk_id", bob.id).single();
    expect(bobRow!.bio).toBeNull();
  });

  it("cannot read someone else's private columns from profiles", async () => {
    const client = await userClient(stack, alice.id);
    const { data } = await client.from("profiles").select("email, birthday").eq("clerk_id", bob.id);
    expect(data).toEqual([]);
  });

  it("sees only public columns on public_profiles, and no hidden birthday", async () => {
    const client = await userClient(stack, alice.id);
    const { data } = await client.from("public_profiles").select("*").eq("clerk_id", bob.id).single();
    expect(Object.keys(data!).sort()).toEqual(["bio", "birthday", "clerk_id", "country", "created_at", "first_name", "image_url", "last_name", "username"]);
    expect(data!.birthday).toBeNull();
    const { error } = await client.from("public_profiles").select("email").eq("clerk_id", bob.id);
    expect(error?.code).toBe("42703");
  });

  it("sees a birthday the owner chose to show", async () => {
    await service.from("profiles").update({ birthday_public: true }).eq("clerk_id", bob.id);
    const { data } = await anonClient(stack).from("public_profiles").select("birthday").eq("clerk_id", bob.id).single();
    expect(data!.birthday).toBe("1990-04-01");
    await service.from("profiles").update({ birthday_public: false }).eq("clerk_id", bob.id);
  });

  it("cannot insert a profile row for itself with a chosen Clerk id", async () => {
    const client = await userClient(stack, "user_2SelfInsertAttempt000000");
    const { error } = await client.from("profiles").insert({ clerk_id: "user_2SelfInsertAttempt000000", event_at: new Date().toISOString(), event_id: "x" });
    expect(error?.code).toBe("42501");
  });

  it("cannot delete a profile", async () => {
    const client = await userClient(stack, alice.id);
    const { error } = await client.from("profiles").delete().eq("clerk_id", alice.id);
    expect(error?.code).toBe("42501");
  });
});

describe("anon", () => {
  it("reads the public feed", async () => {
    const { data, error } = await anonClient(stack).from("public_profiles").select("clerk_id").in("clerk_id", [alice.id, bob.id]);
    expect(error).toBeNull();
    expect(data).toHaveLength(2);
  });

  it.each(["profiles", "clerk_events"] as const)("cannot read %s", async (table) => {
    const { error } = await anonClient(stack).from(table).select("*").limit(1);
    expect(error?.code).toBe("42501");
  });

  it("cannot update a profile", async () => {
    const { error } = await anonClient(stack).from("profiles").update({ bio: "anon" }).eq("clerk_id", alice.id);
    expect(error?.code).toBe("42501");
  });
});

describe("the apply function and the ledger", () => {
  const event = { svix_id: clerkId("msg"), type: "user.updated", event_at: "2999-01-01T00:00:00Z", change: { table: "profiles", op: "tombstone", row: { clerk_id: "x" } } };

  it.each([
    ["anon", () => anonClient(stack)],
    ["an authenticated user", () => userClient(stack, alice.id)],
  ])("%s cannot call apply_clerk_event", async (_, client) => {
    const { error } = await (await client()).rpc("apply_clerk_event", { event: { ...event, change: { ...event.change, row: { clerk_id: alice.id } } } });
    expect(error?.code).toBe("42501");
    const { data } = await service.from("profiles").select("deleted_at").eq("clerk_id", alice.id).single();
    expect(data!.deleted_at).toBeNull();
  });

  it("an authenticated user cannot read the ledger", async () => {
    const client = await userClient(stack, alice.id);
    const { error } = await client.from("clerk_events").select("*").limit(1);
    expect(error?.code).toBe("42501");
  });
});

describe("forged tokens", () => {
  async function asToken(token: string) {
    return createNodeClient(stack.apiUrl, stack.anonKey, async () => token);
  }

  it("a token signed with another RSA key is refused", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "RS256" }).setSubject(alice.id).setExpirationTime("1h").sign(privateKey);
    const { error } = await (await asToken(token)).from("profiles").select("*").eq("clerk_id", alice.id);
    expect(error?.code).toBe("PGRST301");
  });

  it("an unsigned token (alg: none) is refused", async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const token = `${encode({ alg: "none", typ: "JWT" })}.${encode({ sub: alice.id, role: "authenticated", exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    const { error } = await (await asToken(token)).from("profiles").update({ bio: "forged" }).eq("clerk_id", alice.id);
    expect(error).not.toBeNull();
  });

  it("a dev token with a tampered sub is refused", async () => {
    const [header, payload, signature] = (await devToken(stack, bob.id)).split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, sub: alice.id })).toString("base64url"), signature].join(".");
    const { error } = await (await asToken(forged)).from("profiles").update({ bio: "forged" }).eq("clerk_id", alice.id);
    expect(error?.code).toBe("PGRST301");
  });

  it("a token signed by the right key but expired an hour ago is refused", async () => {
    const keys = JSON.parse(await readFile(join(stack.stateDir, "keys.json"), "utf8"));
    const key = await importJWK(keys.sessionPrivateJwk, "RS256");
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ role: "authenticated" }).setProtectedHeader({ alg: "RS256", kid: keys.sessionKid })
      .setSubject(alice.id).setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(key);
    const { error } = await (await asToken(token)).from("profiles").select("*").eq("clerk_id", alice.id);
    expect(error).toMatchObject({ code: "PGRST301", message: "JWT expired" });
  });
});
