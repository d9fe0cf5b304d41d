/**
 * Attacks on a running local stack from outside the dashboard (issue 10, findings 1, 4
 * and 5): a web page on another origin, DNS rebinding, a session token claiming another
 * role, an API key in the query string, and other users of the machine reading its files.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { importJWK, SignJWT } from "jose";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { StackKeys } from "../../scripts/stack/keys.ts";
import { launchChromium } from "../e2e/support/browser.ts";
import { processTree, tcpListenPorts, unixSocketOwners } from "../support/listeners.ts";

const stack = inject("stack");
const apiPort = Number(new URL(stack.apiUrl).port);
const dbPort = Number(new URL(stack.dbUrl).port);

describe("a web page on another origin, in Chromium", () => {
  let browser: Browser;
  let attacker: http.Server;
  let page: Page;

  beforeAll(async () => {
    // Another loopback origin: what any site the developer visits could be.
    attacker = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>elsewhere</title>"));
    await new Promise<void>((done) => attacker.listen(0, "127.0.0.2", done));
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.2:${(attacker.address() as AddressInfo).port}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => attacker?.close(done));
  });

  it("cannot mint a session token, even holding the anon key", async () => {
    const attempts = await page.evaluate(async ({ api, anonKey }) => {
      const body = JSON.stringify({ sub: "user_victim", claims: { metadata: { role: "admin" } } });
      const attempt = (init: RequestInit) =>
        fetch(`${api}/dev/token`, { method: "POST", ...init }).then(
          async (response) => `answered ${response.status}: ${await response.text()}`,
          (error: Error) => `blocked: ${error.message}`,
        );
      return {
        withApikey: await attempt({ headers: { "content-type": "application/json", apikey: anonKey }, body }),
        // A "simple" request: no preflight, so it reaches the gateway.
        simple: await attempt({ headers: { "content-type": "text/plain" }, body }),
      };
    }, { api: stack.apiUrl, anonKey: stack.anonKey });
    expect(attempts.withApikey, "the preflight is refused, so the browser never sends the request").toMatch(/^blocked/);
    expect(attempts.simple, "no CORS for this origin: the browser keeps the answer from the page").toMatch(/^blocked/);
    expect(JSON.stringify(attempts)).not.toContain("token");
  });

  it("the gateway itself refuses /dev/* for a foreign origin, whatever the browser does", async () => {
    const response = await fetch(stack.devTokenUrl, {
      method: "POST",
      headers: { origin: "http://127.0.0.2:8080", apikey: stack.anonKey, "content-type": "application/json" },
      body: JSON.stringify({ sub: "user_victim" }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(await response.text()).not.toContain("token\":");
  });

  it("finds no PostgREST and no function to reach around the gateway: only the gateway and the database listen on TCP", async () => {
    const owners = unixSocketOwners(stack.socketDir);
    expect(owners.map((owner) => owner.socket).sort(), "PostgREST and both functions listen on unix sockets").toEqual(
      expect.arrayContaining(["function-clerk-sync-admin.sock", "function-clerk-webhook.sock", "postgrest.sock"]),
    );
    expect(owners.find((owner) => owner.socket === "postgrest.sock")!.command).toMatch(/postgrest$/);
    for (const owner of owners) expect(tcpListenPorts(owner.pid), `${owner.command} (pid ${owner.pid}) on TCP`).toEqual([]);

    // Every TCP port the stack's own processes listen on, but the gateway and the database:
    // the ports a page would have to find. There are none; a PostgREST port answered before.
    const stackPorts = processTree(stack.pid)
      .flatMap((pid) => tcpListenPorts(pid))
      .filter((port) => port !== apiPort && port !== dbPort);
    const found = await page.evaluate(async (ports) => {
      const answers: string[] = [];
      for (const port of ports) {
        const text = await fetch(`http://127.0.0.1:${port}/profiles?select=email`).then((r) => r.text(), () => "");
        if (/^\[|"code":"(PGRST|42)/.test(text)) answers.push(`${port}: ${text.slice(0, 80)}`);
      }
      return answers;
    }, stackPorts);
    expect(found).toEqual([]);
  });
});

describe("DNS rebinding", () => {
  /** A request as a browser sends it after a rebinding: to 127.0.0.1, with the attacker's host name. */
  const getWithHost = (host: string) =>
    new Promise<{ status: number; body: string }>((done, fail) => {
      http
        .get({ host: "127.0.0.1", port: apiPort, path: "/rest/v1/public_profiles?select=clerk_id&limit=1", headers: { host, apikey: stack.anonKey } }, (response) => {
          let body = "";
          response.on("data", (chunk) => (body += chunk));
          response.on("end", () => done({ status: response.statusCode ?? 0, body }));
        })
        .on("error", fail);
    });

  it("a request with a foreign Host is refused", async () => {
    for (const host of [`attacker.example:${apiPort}`, "attacker.example", `127.0.0.1.nip.io:${apiPort}`, `127.0.0.1:${apiPort + 1}`]) {
      const { status, body } = await getWithHost(host);
      expect(status, host).toBe(421);
      expect(body).toMatch(/answers only at 127\.0\.0\.1, localhost or \[::1\]/);
    }
  });

  it("the loopback names still work", async () => {
    for (const host of [`127.0.0.1:${apiPort}`, `localhost:${apiPort}`, `[::1]:${apiPort}`]) {
      expect((await getWithHost(host)).status, host).toBe(200);
    }
  });
});

describe("session tokens", () => {
  it("a token from the trusted issuer claiming role service_role is refused", async () => {
    const keys: StackKeys = JSON.parse(await readFile(join(stack.stateDir, "keys.json"), "utf8"));
    const sign = async (role: string) =>
      await new SignJWT({ role })
        .setProtectedHeader({ alg: "RS256", kid: keys.sessionKid, typ: "JWT" })
        .setSubject("user_2RoleEscalation0000000000")
        .setIssuer(`${stack.apiUrl}/dev`)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(await importJWK(keys.sessionPrivateJwk, "RS256"));
    const read = async (token: string) =>
      await fetch(`${stack.apiUrl}/rest/v1/clerk_events?select=svix_id&limit=1`, { headers: { apikey: stack.anonKey, authorization: `Bearer ${token}` } });

    const escalated = await read(await sign("service_role"));
    expect(escalated.status).toBe(401);
    expect((await escalated.json()).message).toBe('JWT role "service_role" is not allowed for a session token');

    // The same token with the role Clerk's tokens carry passes the gateway (and RLS hides the ledger).
    const plain = await read(await sign("authenticated"));
    expect(plain.status).not.toBe(401);
  });
});

describe("API keys in the query string", () => {
  it("?apikey= works as the header does, and the key is written to no log", async () => {
    for (const key of [stack.anonKey, stack.serviceRoleKey]) {
      const response = await fetch(`${stack.apiUrl}/rest/v1/public_profiles?select=clerk_id&limit=1&apikey=${key}`);
      expect(response.status).toBe(200);
      expect(Array.isArray(await response.json())).toBe(true);
    }
    const logs = join(stack.stateDir, "logs");
    for (const file of await readdir(logs)) {
      const text = await readFile(join(logs, file), "utf8");
      expect(text.includes(stack.anonKey) || text.includes(stack.serviceRoleKey), `a key in ${file}`).toBe(false);
    }
  });
});

describe("the stack's files", () => {
  const mode = async (path: string) => (await stat(path)).mode & 0o777;

  it("secrets, logs and sockets are readable by this user only", async () => {
    // As root, PostgreSQL runs as `postgres` and must pass through to its data folder (o+x, no listing).
    expect([0o700, 0o711]).toContain(await mode(stack.stateDir));
    expect(await mode(join(stack.stateDir, "status.json"))).toBe(0o600);
    expect(await mode(join(stack.stateDir, "keys.json"))).toBe(0o600);
    const logs = join(stack.stateDir, "logs");
    expect(await mode(logs)).toBe(0o700);
    const logFiles = await readdir(logs);
    expect(logFiles).toEqual(expect.arrayContaining(["postgres.log", "postgrest.log", "function-clerk-webhook.log"]));
    for (const file of logFiles) expect(await mode(join(logs, file)), file).toBe(0o600);
    expect(await mode(stack.socketDir)).toBe(0o700);
    expect(await mode(join(stack.socketDir, "postgrest.sock"))).toBe(0o600);
  });
});
