import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envelope, userJSON } from "../simulator/payloads.ts";
import { newMessage, signedHeaders } from "../simulator/delivery.ts";
import { repoRoot } from "../lib/paths.ts";
import { readStatus, type StackStatus } from "../lib/status.ts";
import { discoverFunctions, startFunction } from "../stack/functions.ts";
import { freePort } from "../stack/processes.ts";

export interface ColdStartReport {
  /** From spawning Deno to the first 2xx for a signed event (module cache warm, as on a redeploy). */
  functionMs: number[];
  /** From `npm run stack` starting to status.json: a first run (initdb) and a second run. */
  stackFirstRunMs: number;
  stackWarmRunMs: number;
}

export async function benchColdStart(stack: StackStatus, runs: number, log: (line: string) => void): Promise<ColdStartReport> {
  const fn = discoverFunctions().find((f) => f.name === "clerk-webhook")!;
  const functionMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dir = await mkdtemp(join(tmpdir(), "clerk-sync-cold-"));
    const port = await freePort();
    const started = performance.now();
    const service = startFunction(fn, port, {
      SUPABASE_URL: stack.apiUrl,
      SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
      SUPABASE_ANON_KEY: stack.anonKey,
      SUPABASE_DB_URL: stack.dbUrl,
      CLERK_WEBHOOK_DB_URL: stack.webhookDbUrl,
      CLERK_WEBHOOK_SIGNING_SECRET: stack.webhookSecret,
    }, join(dir, "function.log"));
    try {
      for (;;) {
        const message = newMessage(envelope("user.created", userJSON()));
        const ok = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", headers: signedHeaders(message, stack.webhookSecret), body: message.body })
          .then((r) => r.ok, () => false);
        if (ok) break;
        if (performance.now() - started > 60_000) throw new Error("the function did not answer 2xx within 60 s");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      functionMs.push(Math.round(performance.now() - started));
    } finally {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  log(`  function: ${functionMs.join(", ")} ms from spawn to first 2xx`);

  const stateDir = await mkdtemp(join(tmpdir(), "clerk-sync-cold-stack-"));
  try {
    const stackFirstRunMs = await timeStackStart(stateDir);
    const stackWarmRunMs = await timeStackStart(stateDir);
    log(`  npm run stack: ${stackFirstRunMs} ms on a first run (initdb), ${stackWarmRunMs} ms after`);
    return { functionMs, stackFirstRunMs, stackWarmRunMs };
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Runs the real `npm run stack` entry (tsx scripts/stack/main.ts) until status.json appears, then stops it. */
async function timeStackStart(stateDir: string): Promise<number> {
  const env = { ...process.env, STACK_DIR: stateDir, STACK_API_PORT: String(await freePort()), STACK_DB_PORT: String(await freePort()) };
  const started = performance.now();
  // Node with tsx's loader, not the tsx wrapper: the wrapper relays a SIGINT to its child
  // and SIGKILLs it when the child does not acknowledge within 30 ms, which a loaded
  // machine misses; the stack then never stops its postgres, and the warm start below
  // finds postmaster.pid still held.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/stack/main.ts"], { cwd: repoRoot, env, stdio: "ignore" });
  let status: StackStatus | null = null;
  while (!(status = await readStatus(stateDir))) {
    if (child.exitCode !== null) throw new Error("npm run stack exited before it was ready");
    if (performance.now() - started > 120_000) throw new Error("npm run stack was not ready within 120 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const elapsed = Math.round(performance.now() - started);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  await exited;
  return elapsed;
}
