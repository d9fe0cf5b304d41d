/**
 * CI's smoke run of `npm run bench -- --quick`: the benchmarks still run end to end and
 * write their results. No timing is asserted: these machines are shared and noisy.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { bin, repoRoot } from "../../scripts/lib/paths.ts";

describe("npm run bench -- --quick", () => {
  let out: string;
  afterAll(() => rm(out, { recursive: true, force: true }));

  it("runs every benchmark and writes its results", async () => {
    out = await mkdtemp(join(tmpdir(), "clerk-sync-bench-smoke-"));
    const { stdout } = await promisify(execFile)(bin("tsx"), ["scripts/bench/main.ts", "--quick", "--out", out], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toContain("ingest c=8");

    const ingest = JSON.parse(await readFile(join(out, "ingest.json"), "utf8"));
    expect(ingest.rows.map((r: { concurrency: number }) => r.concurrency)).toEqual([1, 8, 32]);
    for (const row of ingest.rows) {
      expect(row.webhook.failed).toBe(0);
      expect(row.webhook.ok).toBe(row.webhook.events);
      expect(row.bound.ok).toBe(row.bound.events);
      expect(row.ratio).toBeGreaterThan(0);
    }
    expect(ingest.streams.map((s: { stream: string }) => s.stream)).toEqual(["100% fresh", "50% duplicates", "50% stale"]);

    const verification = JSON.parse(await readFile(join(out, "verification.json"), "utf8"));
    expect(verification.rows).toHaveLength(3);
    const coldstart = JSON.parse(await readFile(join(out, "coldstart.json"), "utf8"));
    expect(coldstart.functionMs).toHaveLength(1);
    const feed = JSON.parse(await readFile(join(out, "feed.json"), "utf8"));
    expect(feed.cases.find((c: { case: string }) => c.case === "first page")).toMatchObject({ rows: 25, usesIndex: true });
    const reconcile = JSON.parse(await readFile(join(out, "reconcile.json"), "utf8"));
    // 1,000 users in pages of 500, each page starting 10 rows before the last one ended.
    expect(reconcile).toMatchObject({ users: 1000, backendApiRequests: 3 });
    expect(reconcile.ratio).toBeGreaterThan(0);
    const memory = JSON.parse(await readFile(join(out, "memory.json"), "utf8"));
    expect(memory.run.failed).toBe(0);
  }, 240_000);
});
