/**
 * The local stack itself: what it tells its clients, how its gateway behaves like
 * Supabase's, and how it refuses what it must not do.
 */
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { readStatus } from "../../scripts/lib/status.ts";
import { generateTypes, typesFile } from "../../scripts/gen-types.ts";
import { bootstrapSupabaseRoles } from "../../scripts/stack/database.ts";
import { functionSettings } from "../../scripts/stack/functions.ts";
import { StackAlreadyRunning, startStack } from "../../scripts/stack/stack.ts";
import { deliver, newMessage } from "../../scripts/simulator/delivery.ts";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { freePort } from "../../scripts/stack/processes.ts";
import { database } from "../support/clients.ts";

const stack = inject("stack");
const db = database(stack);

describe("status.json", () => {
  it("describes the running stack", async () => {
    const status = await readStatus(stack.stateDir);
    expect(status).toEqual(stack);
    expect(Object.keys(status!)).toEqual(expect.arrayContaining(["apiUrl", "dbUrl", "anonKey", "serviceRoleKey", "webhookUrl", "webhookSecret", "devTokenUrl"]));
  });

  it("a second stack on the same folder is told that one runs", async () => {
    await expect(startStack({ stateDir: stack.stateDir, apiPort: 1, dbPort: 1 })).rejects.toThrow(StackAlreadyRunning);
    await expect(startStack({ stateDir: stack.stateDir, apiPort: 1, dbPort: 1 })).rejects.toThrow(/already running .* with its API on/);
  });
});

describe("the gateway", () => {
  it("requires an apikey on /rest/v1, as Supabase's does", async () => {
    const response = await fetch(`${stack.apiUrl}/rest/v1/public_profiles`);
    expect(response.status).toBe(401);
    expect((await response.json()).message).toBe("No API key found in request");
  });

  it("refuses an unknown apikey", async () => {
    const response = await fetch(`${stack.apiUrl}/rest/v1/public_profiles`, { headers: { apikey: "not-a-key" } });
    expect(response.status).toBe(401);
  });

  it("answers CORS preflights for the dashboard", async () => {
    const response = await fetch(`${stack.apiUrl}/rest/v1/profiles`, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:5173", "access-control-request-method": "PATCH", "access-control-request-headers": "authorization, apikey, content-type" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toContain("PATCH");
  });

  it("404s an unknown function", async () => {
    expect((await fetch(`${stack.apiUrl}/functions/v1/nope`, { method: "POST" })).status).toBe(404);
  });

  it("issues dev tokens with Clerk's claims, and refuses a request without sub", async () => {
    const ok = await fetch(stack.devTokenUrl, { method: "POST", body: JSON.stringify({ sub: "user_2TokenClaims000000000000", org_id: "org_1", org_role: "org:admin" }) });
    const { token } = await ok.json();
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ sub: "user_2TokenClaims000000000000", role: "authenticated", iss: `${stack.apiUrl}/dev`, o: { id: "org_1", rol: "admin" }, org_id: "org_1" });
    expect(claims.exp - claims.iat).toBe(3600);

    const bad = await fetch(stack.devTokenUrl, { method: "POST", body: "{}" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/sub/);
  });
});

describe("supabase/config.toml", () => {
  it("turns verify_jwt off for clerk-webhook (Clerk sends no Supabase JWT)", async () => {
    const settings = functionSettings(await readFile("supabase/config.toml", "utf8"));
    expect(settings.get("clerk-webhook")).toMatchObject({ verify_jwt: "false" });
  });
});

describe("the Supabase bootstrap", () => {
  it("refuses to run against a database that looks like Supabase's", async () => {
    await db.query("create role supabase_admin nologin");
    try {
      await expect(bootstrapSupabaseRoles(stack.dbUrl, "x")).rejects.toThrow(/is a Supabase database/);
    } finally {
      await db.query("drop role supabase_admin");
    }
  });

  it("enables row-level security on every table in the exposed schema", async () => {
    const { rows } = await db.query("select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' and not relrowsecurity");
    expect(rows).toEqual([]);
  });
});

describe("database.types.ts", () => {
  it("matches the migrations (regenerate with `npm run gen:types`)", async () => {
    expect(await generateTypes(stack.dbUrl)).toBe(await readFile(typesFile, "utf8"));
  }, 60_000);
});

describe("a stack on an existing PostgreSQL (STACK_DB_URL)", () => {
  it("bootstraps, migrates and serves it, and leaves it running when stopped", async () => {
    await db.query("drop database if exists external_stack");
    await db.query("create database external_stack");
    const stateDir = await mkdtemp(join(tmpdir(), "clerk-sync-external-"));
    // Roles are per cluster: the same keys keep the authenticator password this run's PostgREST uses.
    await copyFile(join(stack.stateDir, "keys.json"), join(stateDir, "keys.json"));
    const externalUrl = new URL(stack.dbUrl);
    externalUrl.pathname = "/external_stack";
    const external = await startStack({ stateDir, apiPort: await freePort(), dbPort: 0, externalDbUrl: externalUrl.toString(), readFunctionsEnvFile: false });
    try {
      const user = userJSON({ firstName: "External" });
      const result = await deliver(newMessage(envelope("user.created", user)), { url: external.status.webhookUrl, secret: external.status.webhookSecret });
      expect(result.status).toBe(200);
      const client = new pg.Client({ connectionString: externalUrl.toString() });
      await client.connect();
      const { rows } = await client.query("select first_name from profiles where clerk_id = $1", [user.id]);
      await client.end();
      expect(rows).toEqual([{ first_name: "External" }]);
    } finally {
      await external.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
    const { rows } = await db.query("select 1 as alive");
    expect(rows).toEqual([{ alive: 1 }]);
    await db.query("drop database external_stack");
  }, 90_000);
});
