/**
 * `npm run bench`: starts a private stack on free ports, runs every benchmark against
 * it, prints progress, and writes bench/results/<name>.json. Each benchmark measures
 * its bound in the same run and reports the ratio. `--quick` is the CI smoke version
 * (tiny counts, no timing claims); `--out DIR` writes results elsewhere.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../lib/paths.ts";
import { freePort } from "../stack/processes.ts";
import { startStack } from "../stack/stack.ts";
import { benchColdStart } from "./coldstart.ts";
import { benchIngest, benchMemory, fullPlan, quickPlan } from "./ingest.ts";
import { benchReconcile } from "./reconcile.ts";
import { benchVerification } from "./verification.ts";

const { values } = parseArgs({
  options: { quick: { type: "boolean" }, out: { type: "string" }, only: { type: "string" }, "max-group": { type: "string" }, "ledger-payloads": { type: "string" } },
});
const outDir = resolve(values.out ?? join(repoRoot, "bench/results"));
const only = values.only?.split(",");
const log = (line: string) => console.log(line);

const machine = { settings: { maxGroup: values["max-group"] ?? "64", ledgerPayloads: values["ledger-payloads"] ?? "all" }, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString(), quick: Boolean(values.quick) };

await mkdir(outDir, { recursive: true });
const stateDir = await mkdtemp(join(tmpdir(), "clerk-sync-bench-"));
log("Starting a private stack for the benchmarks…");
// --max-group 1 turns group commit off; --ledger-payloads failed stores fewer payloads.
const functionEnv: Record<string, string> = {};
if (values["max-group"]) functionEnv.WEBHOOK_MAX_GROUP = values["max-group"];
if (values["ledger-payloads"]) functionEnv.LEDGER_PAYLOADS = values["ledger-payloads"];
const stack = await startStack({ stateDir, apiPort: await freePort(), dbPort: await freePort(), readFunctionsEnvFile: false, functionEnv });
const functionPid = stack.processes.find((p) => p.name === "function clerk-webhook")?.pid ?? null;

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
    await save("ingest", await benchIngest(stack.status, values.quick ? quickPlan : fullPlan, log));
  }
  if ((!only || only.includes("memory")) && functionPid) {
    await save("memory", await benchMemory(stack.status, functionPid, values.quick ? 500 : 100_000, log));
  }
  if (!only || only.includes("verification")) {
    log("verification: the same signed payloads through each library…");
    await save("verification", { rows: await benchVerification(values.quick ? 200 : 20_000, log) });
  }
  if (!only || only.includes("feed")) {
    log("feed reads: a private stack with the profiles inserted by SQL…");
    await runFeedBench(values.quick ? ["--profiles", "2000", "--requests", "20"] : []);
  }
  if (!only || only.includes("reconcile")) await save("reconcile", await benchReconcile(stack.status, values.quick ? 1000 : 50_000, log));
  if (!only || only.includes("coldstart")) {
    log("cold start…");
    await save("coldstart", await benchColdStart(stack.status, values.quick ? 1 : 5, log));
  }
} finally {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
}
