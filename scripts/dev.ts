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
import { runStackInForeground } from "./stack/main.ts";

const demoUserCount = Number(process.env.DEMO_USERS ?? 48);

const running = await readStatus(stackOptionsFromEnv().stateDir);
const stack = running ? null : await runStackInForeground();
const status = running ?? stack!.status;
if (running) console.log(`Using the stack already running on ${status.apiUrl} (pid ${status.pid}).`);

console.log(`Seeding ${demoUserCount} demo users through signed webhooks…`);
const seeded = await seedDemoUsers(status, demoUserCount);
console.log(`  ✓ ${seeded.applied} new, ${seeded.duplicate} already there.`);

const vite = spawn(bin("vite"), ["--config", "web/vite.config.ts", "--host", "127.0.0.1", "--port", "5173"], {
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
