/**
 * CI's smoke run of `npm run bench -- --quick`: the benchmarks still run end to end and
 * write their results, to bench/results/quick/, never over the committed results. No
 * timing is asserted: these machines are shared and noisy.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bin, repoRoot } from "../../scripts/lib/paths.ts";

const run = promisify(execFile);
const bench = (args: string[]) => run(bin("tsx"), ["scripts/bench/main.ts", ...args], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
const committed = join(repoRoot, "bench/results");
const quick = join(committed, "quick");

/** sha256 of every committed bench/results/*.json, by name. */
async function committedDigests(): Promise<Record<string, string>> {
  const names = (await readdir(committed)).filter((name) => name.endsWith(".json")).sort();
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, createHash("sha256").update(await readFile(join(committed, name))).digest("hex")])));
}

describe("npm run bench -- --quick", () => {
  it("runs every benchmark, writes to bench/results/quick/ and leaves the committed results unchanged", async () => {
    const before = await committedDigests();
    expect(Object.keys(before)).toContain("ingest.json");
    const started = Date.now();
    const { stdout } = await bench(["--quick"]);
    expect(stdout).toContain("ingest c=8");
    expect(await committedDigests()).toEqual(before);

    const ingestFile = join(quick, "ingest.json");
    expect((await stat(ingestFile)).mtimeMs).toBeGreaterThanOrEqual(started);
    const ingest = JSON.parse(await readFile(ingestFile, "utf8"));
    expect(ingest.machine.quick).toBe(true);
    expect(ingest.rows.map((r: { concurrency: number }) => r.concurrency)).toEqual([1, 8, 32]);
    for (const row of ingest.rows) {
      for (const who of ["ours", "peer", "bound"]) {
        expect(row[who].failed, `${who} at c=${row.concurrency}`).toBe(0);
        expect(row[who].ok, `${who} at c=${row.concurrency}`).toBe(ingest.plan.counts[row.concurrency] * ingest.plan.rounds);
        expect(row[who].perSecond).toBeGreaterThan(0);
      }
      expect(row.ratios.oursToPeer).toBeGreaterThan(0);
      expect(row.ratios.oursToBound).toBeGreaterThan(0);
      // The parts that did the work were metered, each on its own line.
      expect(row.ours.cpuUsPerEvent["clerk-webhook"]).toBeGreaterThan(0);
      expect(row.peer.cpuUsPerEvent["naive-webhook"]).toBeGreaterThan(0);
      // The idle peer is metered apart: at most a stray clock tick (10 ms) of its own
      // timers shows in our run, never the work of the events.
      expect(row.ours.cpuUsPerEvent["naive-webhook"]).toBeLessThan(row.ours.cpuUsPerEvent["clerk-webhook"]);
      expect(row.bound.cpuUsPerEvent.postgres).toBeGreaterThan(0);
      expect(Object.keys(row.ours.cpuUsPerEvent)).toEqual(expect.arrayContaining(["postgres", "postgrest", "gateway (node)", "load generator (node)"]));
    }
    expect(ingest.streams.map((s: { stream: string }) => s.stream)).toEqual(["100% fresh", "50% duplicates", "50% stale"]);

    const verification = JSON.parse(await readFile(join(quick, "verification.json"), "utf8"));
    expect(verification.rows).toHaveLength(3);
    const coldstart = JSON.parse(await readFile(join(quick, "coldstart.json"), "utf8"));
    expect(coldstart.functionMs).toHaveLength(1);
    const feed = JSON.parse(await readFile(join(quick, "feed.json"), "utf8"));
    expect(feed.cases.find((c: { case: string }) => c.case === "first page")).toMatchObject({ rows: 25, usesIndex: true });
    const pull = JSON.parse(await readFile(join(quick, "pull.json"), "utf8"));
    expect(pull).toMatchObject({ pulls: 20, pull: { p50Ms: expect.any(Number) }, backendApiRequest: { p50Ms: expect.any(Number) } });
    const reconcile = JSON.parse(await readFile(join(quick, "reconcile.json"), "utf8"));
    // 1,000 users in pages of 500, each page starting 10 rows before the last one ended.
    expect(reconcile).toMatchObject({ users: 1000, backendApiRequests: 3 });
    expect(reconcile.ratio).toBeGreaterThan(0);
    const memory = JSON.parse(await readFile(join(quick, "memory.json"), "utf8"));
    expect(memory.run.failed).toBe(0);
  }, 300_000);

  it("refuses to write a quick run over the committed results, before starting anything", async () => {
    const failure = await bench(["--quick", "--out", "bench/results"]).then(() => null, (error) => error);
    expect(failure?.code).toBe(2);
    expect(failure.stderr).toContain("never writes to bench/results");
    expect(failure.stdout).not.toContain("Starting a private stack");
  });

  it("answers --help and refuses unknown options and benchmarks with exit code 2", async () => {
    expect((await bench(["--help"])).stdout).toContain("Usage: npm run bench");
    for (const args of [["--fast"], ["--only", "ingset"]]) {
      const failure = await bench(args).then(() => null, (error) => error);
      expect(failure?.code, args.join(" ")).toBe(2);
      expect(failure.stderr).toContain("Usage: npm run bench");
    }
  });
});
