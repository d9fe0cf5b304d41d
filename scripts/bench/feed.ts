/**
 * The public feed at scale: how long a feed page takes with 100,000 profiles.
 *
 *   npx tsx scripts/bench/feed.ts                 100,000 profiles (also part of npm run bench)
 *   npx tsx scripts/bench/feed.ts --profiles 20000 --requests 50 --out bench/results
 *
 * Starts a private stack on free ports (never the dev stack), inserts the profiles
 * straight into its database as the superuser (1 % of them deleted), then times each
 * feed request as the dashboard sends it (a signed-in user's token, through the gateway
 * and PostgREST) against its bound: the same SQL run straight on Postgres, with
 * EXPLAIN ANALYZE to show which index it uses. Also times the public_profiles view
 * sorted by PostgREST, the approach profile_feed replaces. With --out, writes feed.json.
 * Numbers vary by machine: compare rows of one run.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { freePort } from "../stack/processes.ts";
import { startStack } from "../stack/stack.ts";

const { values } = parseArgs({
  options: { profiles: { type: "string", default: "100000" }, requests: { type: "string", default: "200" }, out: { type: "string" } },
});
const profileCount = Number(values.profiles);
const requestCount = Number(values.requests);

/** 100k believable profiles in one statement: names, usernames, countries, bios, three years of sign-ups. */
const insertProfiles = `
insert into public.profiles (clerk_id, username, first_name, last_name, image_url, email,
  clerk_created_at, clerk_updated_at, bio, country, event_at, event_id, deleted_at)
select
  'user_bench' || lpad(i::text, 8, '0'),
  lower(f.name || l.name) || i,
  f.name, l.name,
  'https://img.example/' || i || '.png',
  'bench' || i || '@example.com',
  timestamptz '2023-11-01' + (i * interval '15 minutes') + (i % 7) * interval '1 second',
  now(),
  case when i % 3 = 0 then null else 'Bio number ' || i || ': databases, distributed systems and coffee.' end,
  (array['US','US','US','GB','GB','DE','FR','SE','JP','BR','IN','IN','NG','KE','CA','AU','NL','ES','IT','MX'])[1 + (i * 7919) % 20],
  now(), 'msg_bench_' || i,
  case when i % 100 = 0 then now() end
from generate_series(1, $1::int) as i
cross join lateral (select (array['Ada','Grace','Alan','Katherine','Linus','Margaret','Tim','Hedy','Dennis','Radia','Ken','Barbara','Guido','Frances','Yukihiro','Sophie','Bjarne','Anita','Edsger','Shafi','Donald','Joan','Vint','Karen','Leslie','Mary','Niklaus','Jean','John','Evelyn'])[1 + (i * 31) % 30] as name) f
cross join lateral (select (array['Lovelace','Hopper','Turing','Johnson','Torvalds','Hamilton','Lee','Lamarr','Ritchie','Perlman','Thompson','Liskov','Rossum','Allen','Matsumoto','Wilson','Stroustrup','Borg','Dijkstra','Goldwasser','Knuth','Clarke','Cerf','Jones','Lamport','Keller','Wirth','Bartik','McCarthy','Boyd','Okafor','Nwosu','Garcia','Rossi','Tanaka','Sato','Nilsson','Larsen','Sharma','Iyer'])[1 + (i * 17) % 40] as name) l
`;

interface FeedCase {
  name: string;
  /** Query string of GET /rest/v1/rpc/profile_feed. */
  params: Record<string, string>;
  /** The statement profile_feed runs for these arguments, for EXPLAIN ANALYZE. */
  sql: string;
}

const columns = `p.clerk_id, p.username, p.first_name, p.last_name, p.image_url, p.bio, p.country,
  case when p.birthday_public then p.birthday end, p.clerk_created_at`;
const order = "order by p.clerk_created_at desc, p.clerk_id desc limit 25";

function orderedCase(name: string, filters: { country?: string; cursor?: { createdAt: string; clerkId: string } }): FeedCase {
  const where = ["p.deleted_at is null", "p.clerk_created_at is not null"];
  const params: Record<string, string> = { page_size: "25" };
  if (filters.country) {
    where.push(`p.country = '${filters.country}'`);
    params.country = filters.country;
  }
  if (filters.cursor) {
    where.push(`(p.clerk_created_at, p.clerk_id) < ('${filters.cursor.createdAt}'::timestamptz, '${filters.cursor.clerkId}')`);
    params.before_created_at = filters.cursor.createdAt;
    params.before_clerk_id = filters.cursor.clerkId;
  }
  return { name, params, sql: `select ${columns} from public.profiles p where ${where.join(" and ")} ${order}` };
}

function searchCase(name: string, search: string): FeedCase {
  return {
    name,
    params: { page_size: "25", search },
    sql: `with matches as materialized (
        select p.clerk_created_at, p.clerk_id from public.profiles p
        where p.deleted_at is null and p.clerk_created_at is not null
          and private.profile_search_document(p.username, p.first_name, p.last_name) @@ private.profile_search_query('${search}')),
      page as (select * from matches m order by m.clerk_created_at desc, m.clerk_id desc limit 25)
      select ${columns} from page join public.profiles p on p.clerk_id = page.clerk_id
      order by page.clerk_created_at desc, page.clerk_id desc`,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeRequests(url: string, headers: Record<string, string>): Promise<{ medianMs: number; p99Ms: number; rows: number }> {
  let rows = 0;
  for (let i = 0; i < 3; i++) rows = ((await (await fetch(url, { headers })).json()) as unknown[]).length;
  const times: number[] = [];
  for (let i = 0; i < requestCount; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { medianMs: percentile(times, 50), p99Ms: percentile(times, 99), rows };
}

/** The bound: the same statement straight on Postgres, timed the same way. */
async function timeSql(db: pg.Client, sql: string): Promise<{ medianMs: number; p99Ms: number }> {
  for (let i = 0; i < 3; i++) await db.query(sql);
  const times: number[] = [];
  for (let i = 0; i < requestCount; i++) {
    const started = performance.now();
    await db.query(sql);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { medianMs: percentile(times, 50), p99Ms: percentile(times, 99) };
}

async function explain(db: pg.Client, sql: string): Promise<{ executionMs: number; plan: string[] }> {
  const { rows } = await db.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${sql}`);
  const lines = rows.map((row) => row["QUERY PLAN"]);
  const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join("\n"))?.[1]);
  const plan = lines.filter((line) => /Scan|Sort |Limit|CTE |Index Cond|Nested/.test(line)).map((line) => line.replace(/\s+\(cost=[^)]*\)/, "").trimEnd());
  return { executionMs, plan };
}

const stateDir = await mkdtemp(join(tmpdir(), "clerk-sync-bench-feed-"));
console.log("Starting a private stack…");
const stack = await startStack({ stateDir, apiPort: await freePort(), dbPort: await freePort(), readFunctionsEnvFile: false });
const db = new pg.Client({ connectionString: stack.status.dbUrl });
try {
  await db.connect();
  let started = performance.now();
  await db.query(insertProfiles, [profileCount]);
  await db.query("analyze public.profiles");
  const { rows: [{ live }] } = await db.query<{ live: number }>("select count(*)::int as live from public.profiles where deleted_at is null");
  console.log(`Inserted ${profileCount.toLocaleString("en")} profiles (${live.toLocaleString("en")} not deleted) in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);

  // A cursor 90 % of the way down the feed: the last row of page 3,600 or so.
  const deep = await db.query<{ created_at: string; clerk_id: string }>(
    `select to_char(clerk_created_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') as created_at, clerk_id
     from public.profiles where deleted_at is null order by clerk_created_at desc, clerk_id desc offset $1 limit 1`,
    [Math.floor(live * 0.9)],
  );
  const cursor = { createdAt: deep.rows[0].created_at, clerkId: deep.rows[0].clerk_id };
  const deepSe = await db.query<{ created_at: string; clerk_id: string }>(
    `select to_char(clerk_created_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') as created_at, clerk_id
     from public.profiles where deleted_at is null and country = 'SE' order by clerk_created_at desc, clerk_id desc offset $1 limit 1`,
    [Math.floor(live * 0.05 * 0.9)],
  );

  const cases: FeedCase[] = [
    orderedCase("first page", {}),
    orderedCase("deep page (90 % down, keyset)", { cursor }),
    orderedCase("country SE, first page", { country: "SE" }),
    orderedCase("country SE, deep page", { country: "SE", cursor: { createdAt: deepSe.rows[0].created_at, clerkId: deepSe.rows[0].clerk_id } }),
    searchCase("search 'ada lov' (rare)", "ada lov"),
    searchCase("search 'a' (12 % of profiles match)", "a"),
    searchCase("search 'zzqx' (no match)", "zzqx"),
  ];

  // As the dashboard sends it: the anon key as apikey, a signed-in user's session token.
  const tokenResponse = await fetch(stack.status.devTokenUrl, { method: "POST", headers: { apikey: stack.status.anonKey }, body: JSON.stringify({ sub: "user_bench00000001" }) });
  const { token } = (await tokenResponse.json()) as { token: string };
  const headers = { apikey: stack.status.anonKey, authorization: `Bearer ${token}` };

  const results = [];
  for (const feedCase of cases) {
    const url = `${stack.status.apiUrl}/rest/v1/rpc/profile_feed?${new URLSearchParams(feedCase.params)}`;
    const http = await timeRequests(url, headers);
    const sql = await timeSql(db, feedCase.sql);
    const plan = await explain(db, feedCase.sql);
    const usesIndex = plan.plan.some((line) => /Index (Only )?Scan|Bitmap Index Scan/.test(line));
    results.push({ case: feedCase.name, ...http, sqlMedianMs: sql.medianMs, sqlP99Ms: sql.p99Ms, explainMs: plan.executionMs, usesIndex, plan: plan.plan });
    console.log(`${feedCase.name}: HTTP p50 ${http.medianMs.toFixed(1)} ms, p99 ${http.p99Ms.toFixed(1)} ms, ${http.rows} rows; same SQL direct p50 ${sql.medianMs.toFixed(2)} ms, p99 ${sql.p99Ms.toFixed(2)} ms${usesIndex ? "; index used" : "; NO INDEX"}`);
    for (const line of plan.plan) console.log(`    ${line}`);
  }

  // What profile_feed replaces: the security-barrier view, sorted by PostgREST.
  const viewUrl = `${stack.status.apiUrl}/rest/v1/public_profiles?select=*&order=created_at.desc,clerk_id.desc&limit=25`;
  const view = await timeRequests(viewUrl, headers);
  await db.query("set role anon");
  const viewPlan = await explain(db, "select * from public.public_profiles order by created_at desc, clerk_id desc limit 25");
  await db.query("reset role");
  results.push({ case: "public_profiles view, first page (before)", ...view, sqlMedianMs: viewPlan.executionMs, sqlP99Ms: viewPlan.executionMs, explainMs: viewPlan.executionMs, usesIndex: false, plan: viewPlan.plan });
  console.log(`\npublic_profiles view sorted by PostgREST (before profile_feed): HTTP median ${view.medianMs.toFixed(1)} ms; SQL ${viewPlan.executionMs.toFixed(2)} ms`);
  for (const line of viewPlan.plan) console.log(`    ${line}`);

  console.log(`\n${profileCount.toLocaleString("en")} profiles, ${requestCount} sequential requests per case after 3 warm-ups:`);
  console.table(results.map((r) => ({ case: r.case, "HTTP p50 ms": r.medianMs.toFixed(1), "HTTP p99 ms": r.p99Ms.toFixed(1), "SQL p50 ms": r.sqlMedianMs.toFixed(2), "SQL p99 ms": r.sqlP99Ms.toFixed(2) })));
  if (values.out) {
    await mkdir(values.out, { recursive: true });
    const file = join(values.out, "feed.json");
    await writeFile(file, JSON.stringify({ profiles: profileCount, requestsPerCase: requestCount, cases: results }, null, 2));
    console.log(`→ ${file}`);
  }
} finally {
  await db.end().catch(() => {});
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
}
