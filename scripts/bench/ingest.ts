import { type CpuSnapshot, cpuPerEvent, cpuSnapshot, type MeteredProcess } from "./cpu.ts";
import { httpLoad, latencySummary, type LoadOptions, type LoadResult, rawUpsertLoad, residentMiB } from "./load.ts";
import { ingestStream, type SignedRequest, signedRequest } from "./signing.ts";
import type { BenchStack } from "./stack-process.ts";

/** One contender at one concurrency, over every round. */
export interface IngestTarget {
  label: string;
  ok: number;
  failed: number;
  seconds: number;
  /** ok ÷ seconds over every round. */
  perSecond: number;
  /** Over every request of every round. */
  latencyMs: LoadResult["latencyMs"];
  /** µs of CPU per event, per process, over every round. */
  cpuUsPerEvent: Record<string, number>;
  rounds: LoadResult[];
}

export interface IngestRow {
  concurrency: number;
  /** clerk-webhook through the gateway. */
  ours: IngestTarget;
  /** The naive handler (svix + one supabase-js upsert per event) through the same gateway. */
  peer: IngestTarget;
  /** Raw single-row upserts straight to Postgres. */
  bound: IngestTarget;
  ratios: { oursToPeer: number; oursToBound: number; peerToBound: number };
  /**
   * What a hosted database instance pays per event (Postgres plus PostgREST), in µs,
   * against the raw upsert's Postgres CPU per event.
   */
  databaseCpu: { oursUsPerEvent: number; peerUsPerEvent: number; boundUsPerEvent: number; oursToBound: number };
}

export interface IngestReport {
  plan: IngestPlan;
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
  /** Events per run, per concurrency level. */
  counts: Record<number, number>;
  /** Rounds of (ours, peer, bound), alternating, per concurrency. */
  rounds: number;
  /** Unmeasured events per contender before the first round (JIT, pools, connections). */
  warmup: number;
  /** No run sends for longer than this; its rate is that of what it sent. */
  maxSecondsPerRun: number;
  streamCount: number;
}

export const fullPlan: IngestPlan = { counts: { 1: 800, 8: 4000, 32: 6000 }, rounds: 3, warmup: 200, maxSecondsPerRun: 30, streamCount: 4000 };
export const quickPlan: IngestPlan = { counts: { 1: 40, 8: 160, 32: 160 }, rounds: 1, warmup: 20, maxSecondsPerRun: 10, streamCount: 200 };

let runCounter = 0;
const runId = () => `${Date.now().toString(36)}${runCounter++}`;

type Contender = "ours" | "peer" | "bound";
const labels: Record<Contender, string> = { ours: "clerk-webhook", peer: "naive peer", bound: "raw upsert" };

/**
 * Ingest throughput: distinct signed user events through the gateway to our function
 * and to the naive peer, and the same upserts straight to Postgres (the bound), at each
 * concurrency, in alternating rounds (ours, peer, bound, ours, peer, bound…) so that a
 * change in the machine's load hits all three alike. Each run is metered per process.
 * Then streams of redeliveries and stale events through ours.
 */
export async function benchIngest(stack: BenchStack, plan: IngestPlan, log: (line: string) => void): Promise<IngestReport> {
  const { status } = stack;
  const metered: MeteredProcess[] = [...stack.metered, { name: "load generator (node)", pid: process.pid }];
  const stream = (count: number) => ingestStream({ secret: status.webhookSecret, count, users: Math.ceil(count / 2), runId: runId() });
  const run = (who: Contender, requests: SignedRequest[], concurrency: number, options: LoadOptions) =>
    who === "bound"
      ? rawUpsertLoad(labels[who], status.dbUrl, requests, concurrency, options)
      : httpLoad(labels[who], who === "ours" ? status.webhookUrl : stack.peerUrl, requests, concurrency, options);
  const contenders: Contender[] = ["ours", "peer", "bound"];

  const report: IngestReport = { plan, rows: [], streams: [] };
  for (const [concurrencyText, count] of Object.entries(plan.counts)) {
    const concurrency = Number(concurrencyText);
    log(`ingest c=${concurrency}: warm-up, then ${plan.rounds} round(s) of ${count} events each: ours, the naive peer, raw upserts…`);
    for (const who of contenders) await run(who, stream(plan.warmup), concurrency, {});
    const tallies = new Map(contenders.map((who) => [who, new Tally(labels[who])]));
    for (let round = 0; round < plan.rounds; round++) {
      for (const who of contenders) {
        const tally = tallies.get(who)!;
        const before = cpuSnapshot(metered);
        const result = await run(who, stream(count), concurrency, { maxSeconds: plan.maxSecondsPerRun, latencies: tally.latencies });
        tally.add(result, before, cpuSnapshot(metered));
        log(`  ${fmt(result)}`);
      }
    }
    const [ours, peer, bound] = contenders.map((who) => tallies.get(who)!.total());
    const databaseSide = (target: IngestTarget) => (target.cpuUsPerEvent.postgres ?? 0) + (target.cpuUsPerEvent.postgrest ?? 0);
    const row: IngestRow = {
      concurrency,
      ours,
      peer,
      bound,
      ratios: { oursToPeer: ratio(ours, peer), oursToBound: ratio(ours, bound), peerToBound: ratio(peer, bound) },
      databaseCpu: {
        oursUsPerEvent: databaseSide(ours),
        peerUsPerEvent: databaseSide(peer),
        boundUsPerEvent: bound.cpuUsPerEvent.postgres,
        oursToBound: round2(databaseSide(ours) / bound.cpuUsPerEvent.postgres),
      },
    };
    log(`  c=${concurrency}: ours ${ours.perSecond.toFixed(0)}/s, peer ${peer.perSecond.toFixed(0)}/s, bound ${bound.perSecond.toFixed(0)}/s: ` +
      `ours ÷ peer ${row.ratios.oursToPeer}×, ours ÷ bound ${row.ratios.oursToBound}×; database CPU per event ${row.databaseCpu.oursUsPerEvent} µs (bound ${row.databaseCpu.boundUsPerEvent} µs)`);
    report.rows.push(row);
  }
  log(cpuTable(report.rows));

  const concurrency = 8;
  const maxSeconds = plan.maxSecondsPerRun;
  const fresh = ingestStream({ secret: status.webhookSecret, count: plan.streamCount, users: plan.streamCount / 2, runId: runId() });
  log(`streams c=${concurrency}: ${plan.streamCount} fresh events (the reference)…`);
  const freshResult = await httpLoad("fresh", status.webhookUrl, fresh, concurrency, { maxSeconds });
  log(`  ${fmt(freshResult)}`);
  report.streams.push({ stream: "100% fresh", webhook: freshResult, ratioToFresh: 1 });

  // Half redeliveries of messages just applied (re-signed, as a Svix retry is), half new.
  const newer = ingestStream({ secret: status.webhookSecret, count: plan.streamCount / 2, users: plan.streamCount / 4, runId: runId() });
  const redeliveries = fresh.slice(0, Math.min(plan.streamCount / 2, freshResult.sent)).map((r) => signedRequest(status.webhookSecret, r.id, JSON.parse(r.body), r.userId));
  const duplicates = interleave(redeliveries, newer);
  log(`streams c=${concurrency}: ${duplicates.length} events, 50% redeliveries…`);
  const dupResult = await httpLoad("50% duplicates", status.webhookUrl, duplicates, concurrency, { maxSeconds });
  log(`  ${fmt(dupResult)}`);
  report.streams.push({ stream: "50% duplicates", webhook: dupResult, ratioToFresh: round2(dupResult.perSecond / freshResult.perSecond) });

  // Half events older than what is stored (new message ids, old clocks), half new.
  const stale = ingestStream({ secret: status.webhookSecret, count: plan.streamCount / 2, users: plan.streamCount / 2, runId: runId(), clockStart: Date.now() - 86_400_000 })
    .map((r, i) => {
      const event = JSON.parse(r.body);
      const target = fresh[i % freshResult.sent];
      const staleEvent = { ...event, type: "user.updated", data: { ...event.data, id: target.userId } };
      return signedRequest(status.webhookSecret, `${r.id}_stale`, staleEvent, target.userId);
    });
  const newer2 = ingestStream({ secret: status.webhookSecret, count: plan.streamCount / 2, users: plan.streamCount / 4, runId: runId() });
  const staleMix = interleave(stale, newer2);
  log(`streams c=${concurrency}: ${staleMix.length} events, 50% stale…`);
  const staleResult = await httpLoad("50% stale", status.webhookUrl, staleMix, concurrency, { maxSeconds });
  log(`  ${fmt(staleResult)}`);
  report.streams.push({ stream: "50% stale", webhook: staleResult, ratioToFresh: round2(staleResult.perSecond / freshResult.perSecond) });

  return report;
}

/** Sums one contender's rounds: events, time, latencies and CPU. */
class Tally {
  readonly latencies: number[] = [];
  private readonly rounds: LoadResult[] = [];
  private readonly cpuTicks = new Map<string, number>();
  private ok = 0;
  constructor(private readonly label: string) {}

  add(result: LoadResult, before: CpuSnapshot, after: CpuSnapshot) {
    this.rounds.push(result);
    this.ok += result.ok;
    for (const [name, ticks] of after) this.cpuTicks.set(name, (this.cpuTicks.get(name) ?? 0) + ticks - (before.get(name) ?? 0));
  }

  total(): IngestTarget {
    const seconds = this.rounds.reduce((sum, r) => sum + r.seconds, 0);
    const failed = this.rounds.reduce((sum, r) => sum + r.failed, 0);
    return {
      label: this.label,
      ok: this.ok,
      failed,
      seconds: Number(seconds.toFixed(3)),
      perSecond: Math.round(this.ok / seconds),
      latencyMs: latencySummary(this.latencies),
      cpuUsPerEvent: cpuPerEvent(new Map(), this.cpuTicks, this.ok + failed),
      rounds: this.rounds,
    };
  }
}

/** µs of CPU per event, one line per process, one column per contender and concurrency. */
export function cpuTable(rows: IngestRow[]): string {
  const names = Object.keys(rows[0]?.ours.cpuUsPerEvent ?? {});
  const columns = rows.flatMap((row) => (["ours", "peer", "bound"] as const).map((who) => ({ head: `${who} c=${row.concurrency}`, cpu: row[who].cpuUsPerEvent })));
  const width = Math.max(...names.map((n) => n.length), 16);
  const lines = [
    `${"CPU µs per event".padEnd(width)}  ${columns.map((c) => c.head.padStart(12)).join("")}`,
    ...names.map((name) => `${name.padEnd(width)}  ${columns.map((c) => String(c.cpu[name] ?? 0).padStart(12)).join("")}`),
  ];
  return lines.join("\n");
}

/** The function's resident memory across a long run at concurrency 32, sampled every 10 %. */
export async function benchMemory(stack: BenchStack, functionPid: number, events: number, log: (line: string) => void): Promise<MemoryReport> {
  log(`memory: ${events} events at c=32, sampling the function's resident memory every 10%…`);
  const requests = ingestStream({ secret: stack.status.webhookSecret, count: events, users: events / 4, runId: runId() });
  const samples: number[] = [];
  const pending: Promise<void>[] = [];
  const beforeMiB = await residentMiB(functionPid);
  const run = await httpLoad("memory run", stack.status.webhookUrl, requests, 32, {
    onSent: (index) => {
      if (index % Math.max(1, Math.floor(events / 10)) === 0) pending.push(residentMiB(functionPid).then((mib) => void samples.push(mib)));
    },
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

function ratio(a: IngestTarget, b: IngestTarget): number {
  return round2(a.perSecond / b.perSecond);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export function fmt(result: LoadResult): string {
  return `${result.label}: ${result.perSecond.toFixed(0)}/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms` +
    (result.sent < result.events ? ` (time limit: ${result.sent} of ${result.events} sent)` : "") +
    (result.failed ? `, ${result.failed} failed` : "");
}
