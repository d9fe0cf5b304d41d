import type { StackStatus } from "../lib/status.ts";
import { httpLoad, type LoadResult, rawUpsertLoad, residentMiB } from "./load.ts";
import { ingestStream, type SignedRequest, signedRequest } from "./signing.ts";

export interface IngestRow {
  concurrency: number;
  webhook: LoadResult;
  bound: LoadResult;
  /** webhook events/s ÷ raw upserts/s, same run, same concurrency. */
  ratio: number;
}

export interface IngestReport {
  rows: IngestRow[];
  streams: Array<{ stream: string; webhook: LoadResult; ratioToFresh: number }>;
}

export interface MemoryReport {
  events: number;
  concurrency: number;
  run: LoadResult;
  beforeMiB: number;
  samplesMiB: number[];
  afterMiB: number;
}

export interface IngestPlan {
  /** Events per concurrency level. */
  counts: Record<number, number>;
  streamCount: number;
  memoryEvents: number;
}

export const fullPlan: IngestPlan = { counts: { 1: 1500, 8: 12_000, 32: 16_000 }, streamCount: 8000, memoryEvents: 100_000 };
export const quickPlan: IngestPlan = { counts: { 1: 50, 8: 200, 32: 200 }, streamCount: 200, memoryEvents: 0 };

let runCounter = 0;
const runId = () => `${Date.now().toString(36)}${runCounter++}`;

/**
 * Ingest throughput: distinct signed user events over HTTP through the gateway to the
 * function, against the bound of the same upserts sent straight to Postgres, at each
 * concurrency; then streams of redeliveries and stale events; then memory across a long run.
 */
export async function benchIngest(stack: StackStatus, plan: IngestPlan, log: (line: string) => void): Promise<IngestReport> {
  const report: IngestReport = { rows: [], streams: [] };
  for (const [concurrencyText, count] of Object.entries(plan.counts)) {
    const concurrency = Number(concurrencyText);
    const requests = ingestStream({ secret: stack.webhookSecret, count, users: Math.ceil(count / 2), runId: runId() });
    log(`ingest c=${concurrency}: ${count} events through the webhook…`);
    const webhook = await httpLoad("webhook", stack.webhookUrl, requests, concurrency);
    log(`  ${fmt(webhook)}`);
    log(`ingest c=${concurrency}: the same ${count} upserts straight to Postgres…`);
    const bound = await rawUpsertLoad("raw upsert", stack.dbUrl, requests, concurrency);
    log(`  ${fmt(bound)}`);
    const row = { concurrency, webhook, bound, ratio: round(webhook.perSecond / bound.perSecond) };
    log(`  ratio ${row.ratio}×`);
    report.rows.push(row);
  }

  const concurrency = 8;
  const fresh = ingestStream({ secret: stack.webhookSecret, count: plan.streamCount, users: plan.streamCount / 2, runId: runId() });
  log(`streams c=${concurrency}: ${plan.streamCount} fresh events (the reference)…`);
  const freshResult = await httpLoad("fresh", stack.webhookUrl, fresh, concurrency);
  log(`  ${fmt(freshResult)}`);
  report.streams.push({ stream: "100% fresh", webhook: freshResult, ratioToFresh: 1 });

  // Half redeliveries of messages just applied (re-signed, as a Svix retry is), half new.
  const newer = ingestStream({ secret: stack.webhookSecret, count: plan.streamCount / 2, users: plan.streamCount / 4, runId: runId() });
  const redeliveries = fresh.slice(0, plan.streamCount / 2).map((r) => signedRequest(stack.webhookSecret, r.id, JSON.parse(r.body), r.userId));
  const duplicates = interleave(redeliveries, newer);
  log(`streams c=${concurrency}: ${duplicates.length} events, 50% redeliveries…`);
  const dupResult = await httpLoad("50% duplicates", stack.webhookUrl, duplicates, concurrency);
  log(`  ${fmt(dupResult)}`);
  report.streams.push({ stream: "50% duplicates", webhook: dupResult, ratioToFresh: round(dupResult.perSecond / freshResult.perSecond) });

  // Half events older than what is stored (new message ids, old clocks), half new.
  const stale = ingestStream({ secret: stack.webhookSecret, count: plan.streamCount / 2, users: plan.streamCount / 2, runId: runId(), clockStart: Date.now() - 86_400_000 })
    .map((r, i) => {
      const event = JSON.parse(r.body);
      const target = fresh[i % fresh.length];
      const staleEvent = { ...event, type: "user.updated", data: { ...event.data, id: target.userId } };
      return signedRequest(stack.webhookSecret, `${r.id}_stale`, staleEvent, target.userId);
    });
  const newer2 = ingestStream({ secret: stack.webhookSecret, count: plan.streamCount / 2, users: plan.streamCount / 4, runId: runId() });
  const staleMix = interleave(stale, newer2);
  log(`streams c=${concurrency}: ${staleMix.length} events, 50% stale…`);
  const staleResult = await httpLoad("50% stale", stack.webhookUrl, staleMix, concurrency);
  log(`  ${fmt(staleResult)}`);
  report.streams.push({ stream: "50% stale", webhook: staleResult, ratioToFresh: round(staleResult.perSecond / freshResult.perSecond) });

  return report;
}

/** The function's resident memory across a long run at concurrency 32, sampled every 10 %. */
export async function benchMemory(stack: StackStatus, functionPid: number, events: number, log: (line: string) => void): Promise<MemoryReport> {
  log(`memory: ${events} events at c=32, sampling the function's resident memory every 10%…`);
  const requests = ingestStream({ secret: stack.webhookSecret, count: events, users: events / 4, runId: runId() });
  const samples: number[] = [];
  const pending: Promise<void>[] = [];
  const beforeMiB = await residentMiB(functionPid);
  const run = await httpLoad("memory run", stack.webhookUrl, requests, 32, (index) => {
    if (index % Math.max(1, Math.floor(events / 10)) === 0) pending.push(residentMiB(functionPid).then((mib) => void samples.push(mib)));
  });
  await Promise.all(pending);
  const afterMiB = await residentMiB(functionPid);
  log(`  ${fmt(run)}`);
  log(`  resident memory: before ${beforeMiB} MiB, during ${samples.join(", ")} MiB, after ${afterMiB} MiB`);
  return { events, concurrency: 32, run, beforeMiB, samplesMiB: samples, afterMiB };
}

function interleave<T>(a: T[], b: T[]): T[] {
  return a.flatMap((item, i) => (b[i] ? [item, b[i]] : [item]));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export function fmt(result: LoadResult): string {
  return `${result.label}: ${result.perSecond.toFixed(0)}/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms` +
    (result.failed ? `, ${result.failed} failed` : "");
}
