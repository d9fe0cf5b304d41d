/**
 * `npm run dev`: the whole system on one machine.
 *   1. the local stack (or the one already running),
 *   2. demo users, sent as real signed webhooks (idempotent),
 *   3. the dashboard on Vite, pointed at the stack.
 * Ctrl-C stops what this command started.
 */
import { spawn } from "node:child_process";
import { stackOptionsFromEnv } from "./lib/env.ts";
import { bin, repoRoot } from "./lib/paths.ts";
import { readStatus } from "./lib/status.ts";
import { seedDemoUsers } from "./simulator/seed.ts";
import { parseCommandLine } from "./stack/command-line.ts";
import { runStackInForeground, stackEnvironmentUsage } from "./stack/main.ts";
import { isPortFree } from "./stack/processes.ts";

const usage = `The whole system on one machine: the local stack (or the one already running), demo
users sent as signed webhooks, and the dashboard on http://127.0.0.1:<DASHBOARD_PORT>.
Ctrl-C stops what it started.

Usage:
  npm run dev               Start it all
  npm run dev -- --help     This help

${stackEnvironmentUsage}
  DEMO_USERS                How many demo users to seed (48)`;

parseCommandLine("npm run dev", process.argv.slice(2), {}, usage);
const options = stackOptionsFromEnv();
const demoUserCount = Number(process.env.DEMO_USERS ?? 48);
const dashboardUrl = `http://127.0.0.1:${options.dashboardPort}`;

const running = await readStatus(options.stateDir);
// A second `npm run dev` would re-seed and then fail on Vite's port: say so before doing anything.
if (!(await isPortFree(options.dashboardPort))) {
  console.error(
    `✗ A dashboard is already running on ${dashboardUrl}` +
      (running ? `, with its stack on ${running.apiUrl} (pid ${running.pid}).` : ` (or another program holds port ${options.dashboardPort}: \`ss -ltnp | grep ${options.dashboardPort}\` shows which).`) +
      `\n  Open ${dashboardUrl}, or stop that one first (Ctrl-C in its terminal); DASHBOARD_PORT picks another port.`,
  );
  process.exit(1);
}

const stack = running ? null : await runStackInForeground();
const status = running ?? stack!.status;
if (running) console.log(`Using the stack already running on ${status.apiUrl} (pid ${status.pid}).`);

console.log(`Seeding ${demoUserCount} demo users through signed webhooks…`);
const seeded = await seedDemoUsers(status, demoUserCount);
console.log(`  ✓ ${seeded.applied} new, ${seeded.duplicate} already there.`);

const vite = spawn(bin("vite"), ["--config", "web/vite.config.ts", "--host", "127.0.0.1", "--port", String(options.dashboardPort), "--strictPort"], {
  cwd: repoRoot,
  stdio: "inherit",
  env: {
    ...process.env,
    VITE_SUPABASE_URL: process.env.VITE_SUPABASE_URL ?? status.apiUrl,
    VITE_SUPABASE_ANON_KEY: process.env.VITE_SUPABASE_ANON_KEY ?? status.anonKey,
  },
});
vite.on("exit", (code) => {
  console.error(`vite exited with code ${code}.`);
  process.kill(process.pid, "SIGTERM");
});
process.on("SIGINT", () => vite.kill("SIGTERM"));
process.on("SIGTERM", () => vite.kill("SIGTERM"));
