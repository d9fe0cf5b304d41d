/**
 * Row-level security under attack, through the gateway and PostgREST with real tokens.
 * tests/integration/rls.test.ts covers the basics (another user's row, Clerk-owned
 * columns, a foreign RSA key, alg none, a tampered sub, an expired token); this file
 * adds the rest of issue 4: algorithm confusion, issuers, missing or foreign roles,
 * every readable table, view and function swept for private data, and the catalog
 * checks on security-definer functions and exposed views.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { exportSPKI, importJWK, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { deletedJSON, envelope, membershipJSON, organizationJSON, userJSON } from "../../scripts/simulator/payloads.ts";
import { database, devToken, newMessage, post } from "../support/clients.ts";
import { writeFigures } from "./support/figures.ts";

const stack = inject("stack");
const db = database(stack);
const tag = Date.now().toString(36).slice(-6);

// What must never leak: each appears in exactly one place of the victim's Clerk data.
const secrets = {
  email: `victim.${tag}@private.example`,
  privateMetadata: `PRIVATE-${tag}`,
  unsafeMetadata: `UNSAFE-${tag}`,
  ownerOnlyMetadata: `OWNERONLY-${tag}`,
  orgPrivate: `ORGPRIVATE-${tag}`,
};
const victim = {
  ...userJSON({ id: `user_victim${tag}`, firstName: "Victoria", lastName: `Target${tag}`, username: `victim${tag}`, email: secrets.email }),
  public_metadata: { note: secrets.ownerOnlyMetadata },
  private_metadata: { note: secrets.privateMetadata },
  unsafe_metadata: { note: secrets.unsafeMetadata },
};
const mallory = userJSON({ id: `user_mallory${tag}`, firstName: "Mallory", lastName: "Attacker", username: `mallory${tag}` });
const departed = userJSON({ id: `user_departed${tag}`, firstName: "Gone", username: `departed${tag}` });
const victimBirthday = "1991-07-14";

let keys: { sessionPrivateJwk: JWK; sessionPublicJwk: JWK; sessionKid: string };
const attacks: Record<string, number> = {};
const count = (group: string, n = 1) => (attacks[group] = (attacks[group] ?? 0) + n);

/** One PostgREST call through the gateway, with exactly the token given. */
async function rest(path: string, init: { token?: string; apikey?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { apikey: init.apikey ?? stack.anonKey, "content-type": "application/json", ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${stack.apiUrl}/rest/v1${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Empty body.
  }
  return { status: response.status, text, json: json as { code?: string; message?: string } & unknown[] };
}

async function victimRow() {
  const { rows } = await db.query("select bio, email, first_name, deleted_at from profiles where clerk_id = $1", [victim.id]);
  return rows[0];
}

/** A token signed by the dev issuer's own key, with exactly these claims and header. */
async function sessionKeyToken(claims: Record<string, unknown>, options: { issuer?: string | null } = {}) {
  const key = await importJWK(keys.sessionPrivateJwk, "RS256");
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: keys.sessionKid, typ: "JWT" }).setIssuedAt(now).setExpirationTime(now + 600);
  const issuer = options.issuer === undefined ? `${stack.apiUrl}/dev` : options.issuer;
  if (issuer !== null) jwt = jwt.setIssuer(issuer);
  return await jwt.sign(key);
}

/** HS256 over the given bytes as the HMAC key: the algorithm-confusion forgery. */
async function hs256(claims: Record<string, unknown>, secret: Uint8Array, kid?: string) {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", ...(kid ? { kid } : {}) })
    .setIssuer(`${stack.apiUrl}/dev`).setIssuedAt(now).setExpirationTime(now + 600).sign(secret);
}

/** The attack may not read the victim's row nor change it. */
async function assertLocksOut(token: string, expectedCode?: string) {
  const before = await victimRow();
  const read = await rest(`/profiles?clerk_id=eq.${victim.id}&select=email,public_metadata`, { token });
  expect(read.text).not.toContain(secrets.email);
  if (read.status === 200) expect(read.json).toEqual([]);
  else if (expectedCode) expect(read.json.code).toBe(expectedCode);
  const write = await rest(`/profiles?clerk_id=eq.${victim.id}`, { token, method: "PATCH", body: { bio: "pwned" }, headers: { prefer: "return=representation" } });
  expect(write.status === 200 ? write.json : [], "no row is written").toEqual([]);
  if (expectedCode && write.status !== 200) expect(write.json.code).toBe(expectedCode);
  expect(await victimRow()).toEqual(before);
  return { read, write };
}

beforeAll(async () => {
  keys = JSON.parse(await readFile(join(stack.stateDir, "keys.json"), "utf8"));
  for (const user of [victim, mallory, departed]) {
    expect((await post(stack, newMessage(envelope("user.created", user)))).status).toBe(200);
  }
  const victimToken = await devToken(stack, victim.id);
  const own = await rest(`/profiles?clerk_id=eq.${victim.id}`, { token: victimToken, method: "PATCH", body: { bio: "Victim's own bio", birthday: victimBirthday, birthday_public: false, country: "SE" } });
  expect(own.status).toBeLessThan(300);
  expect((await post(stack, newMessage(envelope("user.deleted", deletedJSON("user", departed.id), Date.now() + 1000)))).status).toBe(200);
  // An organization with private metadata and the victim as a member (its identifier is
  // the victim's email). Stored if this build syncs organizations, ignored otherwise.
  const org = { ...organizationJSON({ id: `org_victim${tag}`, name: `Victim Org ${tag}`, createdBy: victim.id }), private_metadata: { note: secrets.orgPrivate } };
  expect((await post(stack, newMessage(envelope("organization.created", org)))).status).toBe(200);
  const membership = membershipJSON({ organization: org, user: victim, role: "org:admin" });
  expect((await post(stack, newMessage(envelope("organizationMembership.created", membership)))).status).toBe(200);
});

describe("forged and foreign tokens", () => {
  const claims = () => ({ sub: victim.id, role: "authenticated" });

  it.each([
    ["the public JWK as JSON", () => new TextEncoder().encode(JSON.stringify(keys.sessionPublicJwk))],
    ["the public key as PEM (SPKI)", async () => new TextEncoder().encode(await exportSPKI(await importJWK(keys.sessionPublicJwk, "RS256", { extractable: true }) as CryptoKey))],
    ["the RSA modulus bytes", () => Buffer.from(keys.sessionPublicJwk.n!, "base64url")],
    ["the RSA modulus as its base64url text", () => new TextEncoder().encode(keys.sessionPublicJwk.n!)],
  ])("HS256 signed with %s (algorithm confusion) is refused", async (_, secret) => {
    count("forged tokens");
    const token = await hs256(claims(), await secret(), keys.sessionKid);
    const { read } = await assertLocksOut(token, "PGRST301");
    expect(read.status).toBe(401);
  });

  it("HS256 with the public key claiming service_role is refused", async () => {
    count("forged tokens");
    const token = await hs256({ sub: victim.id, role: "service_role" }, new TextEncoder().encode(JSON.stringify(keys.sessionPublicJwk)));
    expect((await rest("/clerk_events?select=payload&limit=1", { token })).status).toBe(401);
    await assertLocksOut(token, "PGRST301");
  });

  it("a token from the right key but another issuer is refused by the gateway", async () => {
    count("forged tokens");
    const token = await sessionKeyToken(claims(), { issuer: "https://evil.example" });
    const { read } = await assertLocksOut(token, "PGRST301");
    expect(read.status).toBe(401);
    expect(read.json.message).toBe('JWT issuer "https://evil.example" is not trusted');
  });

  it("a token from the right key with no issuer is refused by the gateway", async () => {
    count("forged tokens");
    const token = await sessionKeyToken(claims(), { issuer: null });
    const { read } = await assertLocksOut(token, "PGRST301");
    expect(read.json.message).toBe("JWT issuer (none) is not trusted");
  });

  it("the same claims from the right issuer are accepted (the control)", async () => {
    const token = await sessionKeyToken(claims());
    const read = await rest(`/profiles?clerk_id=eq.${victim.id}&select=email`, { token });
    expect(read.json).toEqual([{ email: secrets.email }]);
  });

  it("a token without a role claim is treated as anon: no profile row, no write", async () => {
    count("forged tokens");
    const token = await sessionKeyToken({ sub: victim.id });
    const { read, write } = await assertLocksOut(token, "42501");
    expect(read.status).toBe(401);
    expect(write.status).toBe(401);
  });

  it("a token naming a database role the API may not become (postgres) is refused", async () => {
    count("forged tokens");
    const token = await sessionKeyToken({ sub: victim.id, role: "postgres" });
    const { read } = await assertLocksOut(token);
    expect(read.status).toBeGreaterThanOrEqual(400);
  });

  it("the dev issuer never signs a role other than authenticated, whatever the request asks", async () => {
    count("forged tokens");
    const token = await devToken(stack, mallory.id, { claims: { role: "service_role", sub: victim.id } });
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(payload).toMatchObject({ role: "authenticated", sub: mallory.id });
  });

  it("a session token in the apikey header is not an API key", async () => {
    count("forged tokens");
    const token = await devToken(stack, victim.id);
    const read = await rest(`/profiles?clerk_id=eq.${victim.id}`, { apikey: token });
    expect(read.status).toBe(401);
    expect(read.json.message).toBe("Invalid API key");
  });

  it("a deleted user's still-valid token reads and writes nothing", async () => {
    count("forged tokens");
    const token = await devToken(stack, departed.id);
    expect((await rest(`/profiles?clerk_id=eq.${departed.id}`, { token })).json).toEqual([]);
    const write = await rest(`/profiles?clerk_id=eq.${departed.id}`, { token, method: "PATCH", body: { bio: "back" }, headers: { prefer: "return=representation" } });
    expect(write.json).toEqual([]);
  });
});

describe("another user's row", () => {
  let token: string;
  beforeAll(async () => {
    token = await devToken(stack, mallory.id);
  });

  it("an update filtered to both rows changes only the attacker's own", async () => {
    count("rows");
    const before = await victimRow();
    const write = await rest(`/profiles?or=(clerk_id.eq.${victim.id},clerk_id.eq.${mallory.id})`, { token, method: "PATCH", body: { bio: "mine" }, headers: { prefer: "return=representation" } });
    expect((write.json as unknown as Array<{ clerk_id: string }>).map((r) => r.clerk_id)).toEqual([mallory.id]);
    expect(await victimRow()).toEqual(before);
  });

  it("an upsert (insert … on conflict update) of the victim's id is refused", async () => {
    count("rows");
    const before = await victimRow();
    const write = await rest("/profiles?on_conflict=clerk_id", { token, method: "POST", body: { clerk_id: victim.id, bio: "pwned", event_at: "2999-01-01T00:00:00Z", event_id: "x" }, headers: { prefer: "resolution=merge-duplicates" } });
    expect(write.json.code).toBe("42501");
    expect(await victimRow()).toEqual(before);
  });

  it("a delete of the victim's row is refused", async () => {
    count("rows");
    const write = await rest(`/profiles?clerk_id=eq.${victim.id}`, { token, method: "DELETE" });
    expect(write.json.code).toBe("42501");
    expect(await victimRow()).toMatchObject({ email: secrets.email });
  });

  it("SQL in a filter value is a value, not SQL", async () => {
    count("rows");
    const read = await rest(`/profiles?clerk_id=eq.${encodeURIComponent("x' or '1'='1")}&select=email`, { token });
    expect(read.json).toEqual([]);
  });

  it("filtering the public view by the hidden birthday is no oracle", async () => {
    count("rows");
    const read = await rest(`/public_profiles?clerk_id=eq.${victim.id}&birthday=eq.${victimBirthday}`, { token });
    expect(read.json).toEqual([]);
  });

  it("the private schema is not reachable with Accept-Profile or Content-Profile", async () => {
    count("rows", 3);
    const profiles: Array<[string, Record<string, string>]> = [["POST", { "content-profile": "private" }], ["POST", { "content-profile": "auth" }], ["GET", { "accept-profile": "private" }]];
    for (const [method, headers] of profiles) {
      const call = await rest(`/rpc/upsert_profile${method === "GET" ? `?p_row={}&p_event_at=2999-01-01&p_event_id=x` : ""}`, {
        token, method, headers, body: method === "POST" ? { p_row: { clerk_id: victim.id }, p_event_at: "2999-01-01", p_event_id: "x" } : undefined,
      });
      expect(call.json.code, JSON.stringify(headers)).toBe("PGRST106");
    }
    expect(await victimRow()).toMatchObject({ deleted_at: null, first_name: "Victoria" });
  });

  it("private functions are not exposed as RPCs", async () => {
    count("rows", 2);
    for (const fn of ["upsert_profile", "tombstone_profile"]) {
      const read = await rest(`/rpc/${fn}`, { token, method: "POST", body: { p_clerk_id: victim.id, p_event_at: "2999-01-01", p_event_id: "x" } });
      expect(read.json.code).toBe("PGRST202");
    }
  });

  it("embedding the private table through the public view finds no relationship", async () => {
    count("rows");
    const read = await rest(`/public_profiles?clerk_id=eq.${victim.id}&select=*,profiles(email)`, { token });
    expect(read.text).not.toContain(secrets.email);
    expect(read.status).toBe(400);
  });
});

describe("private data through any table, view or function", () => {
  interface Relation { name: string; anon: boolean; authenticated: boolean }
  interface Fn { name: string; anon: boolean; authenticated: boolean; args: Array<{ name: string; type: string }> }
  let relations: Relation[];
  let functions: Fn[];

  beforeAll(async () => {
    ({ rows: relations } = await db.query<Relation>(
      `select c.relname as name,
              has_table_privilege('anon', c.oid, 'select') or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and has_column_privilege('anon', c.oid, a.attnum, 'select')) as anon,
              has_table_privilege('authenticated', c.oid, 'select') or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and has_column_privilege('authenticated', c.oid, a.attnum, 'select')) as authenticated
         from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
        order by 1`));
    ({ rows: functions } = await db.query<Fn>(
      `select p.proname as name,
              has_function_privilege('anon', p.oid, 'execute') as anon,
              has_function_privilege('authenticated', p.oid, 'execute') as authenticated,
              coalesce((select json_agg(json_build_object('name', a.name, 'type', format_type(a.type, null)) order by a.ord)
                          from unnest(p.proargnames, p.proargtypes::oid[]) with ordinality as a(name, type, ord)), '[]') as args
         from pg_proc p
        where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
        order by 1`));
  });

  /** Plausible arguments, aimed at the victim where an argument can name someone. */
  function argumentsFor(fn: Fn): Record<string, unknown> {
    const value = (name: string, type: string): unknown => {
      if (/int|numeric/.test(type)) return 100;
      if (type === "boolean") return true;
      if (/json/.test(type)) return { clerk_id: victim.id };
      if (/timestamp/.test(type)) return null;
      if (type === "interval") return "1 hour";
      if (/id$/.test(name)) return victim.id;
      return `victim${tag}`;
    };
    return Object.fromEntries(fn.args.filter((a) => a.name).map((a) => [a.name, value(a.name, a.type)]));
  }

  function leaks(text: string): string[] {
    return Object.values(secrets).filter((secret) => text.includes(secret));
  }

  it("every relation anon or a signed-in stranger can read holds none of the victim's private data", async () => {
    const readable = relations.filter((r) => r.anon || r.authenticated);
    expect(readable.length).toBeGreaterThan(2);
    const token = await devToken(stack, mallory.id);
    for (const relation of readable) {
      for (const as of ["anon", "stranger"] as const) {
        count("private data sweep");
        const read = await rest(`/${relation.name}?limit=1000`, as === "anon" ? {} : { token });
        expect(leaks(read.text), `${relation.name} as ${as}`).toEqual([]);
        const aimed = await rest(`/${relation.name}?select=*&limit=5&or=(clerk_id.eq.${victim.id})`, as === "anon" ? {} : { token });
        expect(leaks(aimed.text), `${relation.name} as ${as}, aimed at the victim`).toEqual([]);
      }
    }
  });

  it("every function anon or a signed-in stranger may execute returns none of it either", async () => {
    const callable = functions.filter((f) => f.anon || f.authenticated);
    const token = await devToken(stack, mallory.id);
    for (const fn of callable) {
      for (const as of ["anon", "stranger"] as const) {
        count("private data sweep");
        const call = await rest(`/rpc/${fn.name}`, { method: "POST", body: argumentsFor(fn), ...(as === "anon" ? {} : { token }) });
        expect(leaks(call.text), `${fn.name}(${JSON.stringify(argumentsFor(fn))}) as ${as}: ${call.text.slice(0, 200)}`).toEqual([]);
      }
    }
  });

  it("the owner sees their own email (the control), and private and unsafe metadata are stored nowhere at all", async () => {
    const token = await devToken(stack, victim.id);
    expect((await rest(`/profiles?clerk_id=eq.${victim.id}&select=email`, { token })).json).toEqual([{ email: secrets.email }]);
    const { rows: tables } = await db.query<{ name: string }>("select relname as name from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')");
    for (const { name } of tables) {
      count("private data sweep");
      const { rows } = await db.query(`select count(*)::int as n from public."${name.replaceAll('"', '""')}" t where t::text like any($1)`, [[`%${secrets.privateMetadata}%`, `%${secrets.unsafeMetadata}%`, `%${secrets.orgPrivate}%`]]);
      expect(rows[0].n, `rows of ${name} holding private or unsafe metadata`).toBe(0);
    }
  });
});

describe("the catalog", () => {
  it("no function anon or authenticated may execute is security definer without a fixed search_path", async () => {
    count("catalog checks");
    const { rows } = await db.query(
      `select p.oid::regprocedure::text as fn
         from pg_proc p
        where p.prosecdef
          and p.pronamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
          and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))
          and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')`,
    );
    expect(rows).toEqual([]);
  });

  it("every security-definer function anon or authenticated may execute pins search_path to nothing or to trusted schemas", async () => {
    count("catalog checks");
    const { rows } = await db.query(
      `select p.oid::regprocedure::text as fn, c as setting
         from pg_proc p, unnest(p.proconfig) c
        where p.prosecdef and c like 'search_path=%'
          and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))
          and c not in ('search_path=""', 'search_path=pg_catalog', 'search_path=pg_catalog, pg_temp')`,
    );
    expect(rows).toEqual([]);
  });

  it("no view anon or authenticated can read exposes a private column", async () => {
    count("catalog checks");
    const { rows } = await db.query(
      `select c.relname, a.attname
         from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('v', 'm')
          and (has_column_privilege('anon', c.oid, a.attnum, 'select') or has_column_privilege('authenticated', c.oid, a.attnum, 'select'))
          and a.attname in ('email', 'private_metadata', 'unsafe_metadata', 'payload', 'identifier', 'email_address')`,
    );
    expect(rows).toEqual([]);
  });

  it("every table in the exposed schema, partitioned ones included, has row-level security", async () => {
    count("catalog checks");
    const { rows } = await db.query("select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') and not relrowsecurity");
    expect(rows).toEqual([]);
  });

  it("the ledger is readable by no API role but service_role", async () => {
    count("catalog checks");
    const { rows } = await db.query("select r from unnest(array['anon', 'authenticated']) r where has_table_privilege(r, 'public.clerk_events', 'select,insert,update,delete')");
    expect(rows).toEqual([]);
  });
});

afterAll(async () => {
  const total = Object.values(attacks).reduce((a, b) => a + b, 0);
  await writeFigures("rls", { attacks: total, groups: attacks });
  console.log(`rls attacks: ${total} ${JSON.stringify(attacks)}`);
});
