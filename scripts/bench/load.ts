import autocannon from "autocannon";
import pg from "pg";
import { profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import type { SignedRequest } from "./signing.ts";

export interface LoadResult {
  label: string;
  concurrency: number;
  events: number;
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/**
 * Sends every request once over HTTP at `concurrency` connections (autocannon) and
 * reports 2xx per second and latency. `onSent` sees each request index as it is sent.
 */
export async function httpLoad(label: string, url: string, requests: SignedRequest[], concurrency: number, onSent?: (index: number) => void): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: concurrency,
    amount: requests.length,
    timeout: 30,
    requests: [{
      method: "POST",
      setupRequest: (request) => {
        const index = next++;
        onSent?.(index);
        const item = requests[index % requests.length];
        return { ...request, method: "POST", body: item.body, headers: item.headers };
      },
    }],
  });
  const ok = result["2xx"];
  return {
    label,
    concurrency,
    events: requests.length,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
    seconds: result.duration,
    perSecond: ok / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}

/**
 * The bound: the same profile upserts, as single-row `insert … on conflict do update`
 * statements (with the same clock guard) sent straight to Postgres by a Node client,
 * one connection per concurrent sender, each statement its own transaction.
 */
export async function rawUpsertLoad(label: string, dbUrl: string, requests: SignedRequest[], concurrency: number): Promise<LoadResult> {
  const rows = requests.map((request) => {
    const event = JSON.parse(request.body);
    const row = profileFromUser(event.data);
    return [
      `${row.clerk_id}_raw`, row.username, row.first_name, row.last_name, row.image_url, row.email,
      JSON.stringify(row.public_metadata), row.clerk_created_at, row.clerk_updated_at,
      new Date(event.timestamp).toISOString(), request.id,
    ];
  });
  const pool = new pg.Pool({ connectionString: dbUrl, max: concurrency });
  const clients = await Promise.all(Array.from({ length: concurrency }, () => pool.connect()));
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(clients.map(async (client) => {
    while (next < rows.length) {
      const values = rows[next++];
      const t = performance.now();
      try {
        await client.query({ name: "bench_upsert", text: upsertSql, values });
      } catch {
        failed++;
      }
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  clients.forEach((client) => client.release());
  await pool.end();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2));
  return {
    label,
    concurrency,
    events: rows.length,
    ok: rows.length - failed,
    failed,
    seconds,
    perSecond: (rows.length - failed) / seconds,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: at(1) },
  };
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
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kib / 1024) * 10) / 10;
}
