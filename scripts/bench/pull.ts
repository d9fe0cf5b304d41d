/**
 * The on-demand sync (clerk-sync-self) on the bench's stack: how long a signed-in user
 * waits for their row when the webhook has not come, as the dashboard asks for it
 * (their token, through the gateway), against its bound: one Backend API request alone,
 * read with @clerk/backend from the same fake API. The pull makes two such requests at
 * once (the user, their memberships), then one session check and one rate-limit claim
 * through PostgREST, and one apply_clerk_events call; so its time is the bound plus
 * three database round trips.
 *
 * Each pull is a different new user, as on a first sign-in (a user may pull once per
 * interval). The users are put in the stack's fake Clerk only: no webhook is sent.
 */
import { createClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { userJSON } from "../simulator/payloads.ts";
import { updateState } from "../simulator/state.ts";
import type { StackStatus } from "../lib/status.ts";

export interface PullReport {
  pulls: number;
  /** One pull through the gateway, as the dashboard sends it. */
  pull: Timing;
  /** The bound: GET /v1/users/:id alone, with @clerk/backend from Node. */
  backendApiRequest: Timing;
  /** For where the rest goes: one PostgREST round trip through the gateway (the session check alone). */
  databaseRoundTrip: Timing;
  /** pull p50 / bound p50. */
  ratio: number;
}

interface Timing {
  p50Ms: number;
  p99Ms: number;
}

export async function benchPull(stack: StackStatus, pulls: number, log: (line: string) => void): Promise<PullReport> {
  const warmup = 5;
  const users = Array.from({ length: pulls + warmup }, (_, i) => userJSON({ firstName: "Bench", lastName: `Pull${i}`, username: `bench_pull_${i}_${Date.now()}` }));
  await updateState(stack.stateDir, (state) => {
    for (const user of users) state.users[user.id] = user;
  });
  const tokens = await Promise.all(users.map((user) => devToken(stack, user.id)));

  const url = `${stack.apiUrl}/functions/v1/clerk-sync-self`;
  const pullTimes: number[] = [];
  for (const [i, token] of tokens.entries()) {
    const started = performance.now();
    const response = await fetch(url, { method: "POST", headers: { apikey: stack.anonKey, authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { result?: string; outcome?: string };
    if (response.status !== 200 || body.result !== "synced" || body.outcome !== "applied") {
      throw new Error(`pull ${i}: HTTP ${response.status} ${JSON.stringify(body)}`);
    }
    if (i >= warmup) pullTimes.push(performance.now() - started);
  }

  const reader = createClerkReader({ secretKey: stack.clerkSecretKey, apiUrl: stack.clerkApiUrl, maxAttempts: 1, maxRateLimitWaits: 0 });
  const requestTimes: number[] = [];
  for (const [i, user] of users.entries()) {
    const started = performance.now();
    if (!(await reader.user(user.id))) throw new Error(`the fake API has no ${user.id}`);
    if (i >= warmup) requestTimes.push(performance.now() - started);
  }

  const roundTrips: number[] = [];
  for (const [i, token] of tokens.entries()) {
    const started = performance.now();
    const response = await fetch(`${stack.apiUrl}/rest/v1/rpc/session_clerk_id`, {
      method: "POST",
      headers: { apikey: stack.anonKey, authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    if (!response.ok) throw new Error(`session_clerk_id: HTTP ${response.status}`);
    await response.arrayBuffer();
    if (i >= warmup) roundTrips.push(performance.now() - started);
  }

  const report: PullReport = { pulls, pull: timing(pullTimes), backendApiRequest: timing(requestTimes), databaseRoundTrip: timing(roundTrips), ratio: 0 };
  report.ratio = Math.round((report.pull.p50Ms / report.backendApiRequest.p50Ms) * 10) / 10;
  log(`  pull: p50 ${report.pull.p50Ms} ms, p99 ${report.pull.p99Ms} ms; one Backend API request: p50 ${report.backendApiRequest.p50Ms} ms, p99 ${report.backendApiRequest.p99Ms} ms (×${report.ratio}); one PostgREST round trip: p50 ${report.databaseRoundTrip.p50Ms} ms`);
  return report;
}

/** p50 and p99 of some durations, to a tenth of a millisecond. */
function timing(durations: number[]): Timing {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function devToken(stack: StackStatus, sub: string): Promise<string> {
  const response = await fetch(stack.devTokenUrl, { method: "POST", headers: { "content-type": "application/json", apikey: stack.anonKey }, body: JSON.stringify({ sub }) });
  if (!response.ok) throw new Error(`dev token: HTTP ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}
