import { Agent, request as httpRequest } from "node:http";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import type { SignedRequest } from "./signing.ts";

export interface LoadResult {
  label: string;
  concurrency: number;
  /** Requests offered to the run. */
  events: number;
  /** Requests actually sent: fewer than `events` when the run hit its time limit. */
  sent: number;
  ok: number;
  failed: number;
  /** From the first request sent to the last answer received (performance.now()). */
  seconds: number;
  /** ok ÷ seconds. */
  perSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export interface LoadOptions {
  /** Sees each request index as it is sent. */
  onSent?: (index: number) => void;
  /** Stop sending new requests after this long; what was sent is still awaited. */
  maxSeconds?: number;
  /** Receives every latency (ms), for percentiles over several runs. */
  latencies?: number[];
}

/**
 * Sends each request once over HTTP, `concurrency` at a time on as many keep-alive
 * connections, and reports 2xx per second and latency. The clock runs from the first
 * send to the last answer, so the rate is that of the requests actually sent. (autocannon,
 * used before, checks `amount` only on its 1-second tick: its runs lasted up to a second
 * too long, and short runs were under-reported by up to a third.)
 */
export async function httpLoad(label: string, url: string, requests: SignedRequest[], concurrency: number, options: LoadOptions = {}): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (item: SignedRequest) =>
    new Promise<number>((resolve) => {
      const req = httpRequest({
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { ...item.headers, "content-length": Buffer.byteLength(item.body) },
        timeout: 30_000,
      }, (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
        res.once("error", () => resolve(0));
      });
      req.once("timeout", () => req.destroy());
      req.once("error", () => resolve(0));
      req.end(item.body);
    });
  try {
    return await boundedLoop(label, requests, concurrency, options, async (item) => {
      const status = await post(item);
      return status >= 200 && status < 300;
    });
  } finally {
    agent.destroy();
  }
}

/**
 * The bound: the same profile upserts, as single-row `insert … on conflict do update`
 * statements (with the same clock guard) sent straight to Postgres by a Node client,
 * one connection per concurrent sender, each statement its own transaction.
 */
export async function rawUpsertLoad(label: string, dbUrl: string, requests: SignedRequest[], concurrency: number, options: LoadOptions = {}): Promise<LoadResult> {
  const rows = requests.map((request) => {
    const event = JSON.parse(request.body);
    const row = profileFromUser(event.data);
    return [
      `${row.clerk_id}_raw`, row.username, row.first_name, row.last_name, row.image_url, row.email,
      JSON.stringify(row.public_metadata), row.clerk_created_at, row.clerk_updated_at,
      new Date(event.timestamp).toISOString(), request.id,
    ];
  });
  const clients = await Promise.all(Array.from({ length: concurrency }, async () => {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    return client;
  }));
  const idle = [...clients];
  try {
    return await boundedLoop(label, rows, concurrency, options, async (values) => {
      // boundedLoop never has more than `concurrency` calls in flight, so one is idle.
      const client = idle.pop()!;
      try {
        await client.query({ name: "bench_upsert", text: upsertSql, values });
        return true;
      } catch {
        return false;
      } finally {
        idle.push(client);
      }
    });
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

/** Runs `send` over `items`, at most `concurrency` at once, timing each and the whole. */
async function boundedLoop<T>(label: string, items: T[], concurrency: number, options: LoadOptions, send: (item: T) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  const started = performance.now();
  const deadline = started + (options.maxSeconds ?? Infinity) * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length && performance.now() < deadline) {
      const index = next++;
      options.onSent?.(index);
      const t = performance.now();
      if (await send(items[index])) ok++;
      latencies.push(performance.now() - t);
    }
  }));
  if (options.latencies) for (const ms of latencies) options.latencies.push(ms);
  const seconds = (performance.now() - started) / 1000;
  return {
    label,
    concurrency,
    events: items.length,
    sent: next,
    ok,
    failed: next - ok,
    seconds: Number(seconds.toFixed(3)),
    perSecond: ok / seconds,
    latencyMs: latencySummary(latencies),
  };
}

/** p50, p99 and max of latencies in ms (two decimals). */
export function latencySummary(latencies: number[]): LoadResult["latencyMs"] {
  if (latencies.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2));
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}

const upsertSql = `
insert into public.profiles as p (
  clerk_id, username, first_name, last_name, image_url, email, public_metadata,
  clerk_created_at, clerk_updated_at, event_at, event_id, synced_at
) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
on conflict (clerk_id) do update set
  username = excluded.username, first_name = excluded.first_name, last_name = excluded.last_name,
  image_url = excluded.image_url, email = excluded.email, public_metadata = excluded.public_metadata,
  clerk_created_at = excluded.clerk_created_at, clerk_updated_at = excluded.clerk_updated_at,
  event_at = excluded.event_at, event_id = excluded.event_id, synced_at = excluded.synced_at,
  deleted_at = null
where (p.event_at, p.event_id) < (excluded.event_at, excluded.event_id)`;

/** Resident memory of a process in MiB, from /proc. */
export async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kib / 1024) * 10) / 10;
}
