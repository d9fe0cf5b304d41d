/**
 * `npm run bench`: starts a private stack on free ports, runs every benchmark against
 * it, prints progress, and writes bench/results/<name>.json. Each benchmark measures
 * its bound in the same run and reports the ratio. `--quick` is the CI smoke version
 * (tiny counts, no timing claims): it writes to bench/results/quick/ (git-ignored), so
 * it never overwrites the committed results.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../lib/paths.ts";
import { benchColdStart } from "./coldstart.ts";
import { benchIngest, benchMemory, fullPlan, quickPlan } from "./ingest.ts";
import { startBenchStack } from "./stack-process.ts";
import { benchPull } from "./pull.ts";
import { benchVerification } from "./verification.ts";

const usage = `Usage: npm run bench -- [options]

  --only LIST             comma-separated: ingest, memory, verification, feed, coldstart, pull (default: all)
  --quick                 tiny counts, no timing claims; writes to bench/results/quick/
  --out DIR               write the results here (default bench/results, or bench/results/quick with --quick)
  --max-group N           WEBHOOK_MAX_GROUP for the function (1 turns group commit off)
  --ledger-payloads MODE  LEDGER_PAYLOADS for the function (all | failed)
  --groups-in-flight N    WEBHOOK_GROUPS_IN_FLIGHT for the function (default 1)
  --db-mode MODE          CLERK_WEBHOOK_DB_MODE for the function: direct (prepared statements) or
                          pooler (one simple-protocol query, as for the transaction pooler);
                          pooler results are saved as ingest-pooler.json
  -h, --help              this text`;

const benchmarks = ["ingest", "memory", "verification", "feed", "coldstart", "pull"];
const committedResults = resolve(repoRoot, "bench/results");
const quickResults = resolve(committedResults, "quick");

function usageError(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      out: { type: "string" },
      only: { type: "string" },
      "max-group": { type: "string" },
      "ledger-payloads": { type: "string" },
      "db-mode": { type: "string" },
      "groups-in-flight": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  usageError((error as Error).message);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const only = values.only?.split(",");
const unknown = only?.filter((name) => !benchmarks.includes(name)) ?? [];
if (unknown.length) usageError(`Unknown benchmark: ${unknown.join(", ")}.`);
const dbMode = values["db-mode"];
if (dbMode !== undefined && dbMode !== "direct" && dbMode !== "pooler") usageError(`--db-mode must be direct or pooler, got "${dbMode}".`);
const outDir = resolve(values.out ?? (values.quick ? quickResults : committedResults));
if (values.quick && outDir === committedResults) {
  usageError("A --quick run never writes to bench/results: its figures are not results. Leave out --out, or name another folder.");
}
const log = (line: string) => console.log(line);

const machine = { settings: { maxGroup: values["max-group"] ?? "64", ledgerPayloads: values["ledger-payloads"] ?? "all", dbMode: dbMode ?? "direct", groupsInFlight: values["groups-in-flight"] ?? "1" }, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString(), quick: Boolean(values.quick) };

await mkdir(outDir, { recursive: true });
const stateDir = await mkdtemp(join(tmpdir(), "clerk-sync-bench-"));
log("Starting a private stack for the benchmarks…");
// --max-group 1 turns group commit off; --ledger-payloads failed stores fewer payloads.
const functionEnv: Record<string, string> = {};
if (values["max-group"]) functionEnv.WEBHOOK_MAX_GROUP = values["max-group"];
if (values["ledger-payloads"]) functionEnv.LEDGER_PAYLOADS = values["ledger-payloads"];
if (dbMode) functionEnv.CLERK_WEBHOOK_DB_MODE = dbMode;
if (values["groups-in-flight"]) functionEnv.WEBHOOK_GROUPS_IN_FLIGHT = values["groups-in-flight"];
const stack = await startBenchStack(stateDir, functionEnv);
// Ctrl-C stops the benchmark's stack and removes its folder, as the end of a run does.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stack.stop().then(() => rm(stateDir, { recursive: true, force: true })).finally(() => process.exit(130)));
}

/** The feed benchmark runs on a stack of its own (it inserts 100,000 profiles). */
function runFeedBench(args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/feed.ts", "--out", outDir, ...args], { cwd: repoRoot, stdio: "inherit" });
    child.once("exit", (code) => (code === 0 ? done() : fail(new Error(`the feed benchmark exited with code ${code}`))));
  });
}

async function save(name: string, result: unknown) {
  const file = join(outDir, `${name}.json`);
  await writeFile(file, JSON.stringify({ machine, ...result as object }, null, 2));
  log(`→ ${file}`);
}

try {
  if (!only || only.includes("ingest")) {
    await save(dbMode === "pooler" ? "ingest-pooler" : "ingest", await benchIngest(stack, values.quick ? quickPlan : fullPlan, log));
  }
  if ((!only || only.includes("memory")) && stack.functionPid) {
    await save("memory", await benchMemory(stack, stack.functionPid, values.quick ? 500 : 100_000, log));
  }
  if (!only || only.includes("verification")) {
    log("verification: the same signed payloads through each library…");
    await save("verification", { rows: await benchVerification(values.quick ? 200 : 20_000, log) });
  }
  if (!only || only.includes("feed")) {
    log("feed reads: a private stack with the profiles inserted by SQL…");
    await runFeedBench(values.quick ? ["--profiles", "2000", "--requests", "20"] : []);
  }
  if (!only || only.includes("pull")) await save("pull", await benchPull(stack.status, values.quick ? 20 : 300, log));
  if (!only || only.includes("coldstart")) {
    log("cold start…");
    await save("coldstart", await benchColdStart(stack.status, values.quick ? 1 : 5, log));
  }
} finally {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
}
