import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import type { StackStatus } from "../../scripts/lib/status.ts";
import { discoverFunctions, startFunction } from "../../scripts/stack/functions.ts";
import { canConnect, freePort, waitUntilReady } from "../../scripts/stack/processes.ts";
import { testSecrets } from "./test-stack.ts";

/**
 * One more clerk-webhook process under Deno, beside the stack's, with its own
 * environment: for settings the shared stack does not have (an instance id, a dead
 * database). Call it inside a test: it is stopped when that test finishes.
 */
export function startWebhookFunction(stack: StackStatus, env: Record<string, string> = {}) {
  return startFunctionProcess(stack, "clerk-webhook", env);
}

/**
 * Like startWebhookFunction, for any function of supabase/functions, with only the
 * environment given here. Stopped when the test finishes, or with `stopWith: afterAll`
 * when the file does.
 */
export async function startFunctionProcess(
  stack: StackStatus,
  name: string,
  env: Record<string, string> = {},
  stopWith: (stop: () => Promise<void>) => void = onTestFinished,
) {
  const fn = discoverFunctions().find((f) => f.name === name)!;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), `${name}-fn-`));
  const logFile = join(dir, "function.log");
  const service = startFunction(fn, port, {
    SUPABASE_URL: stack.apiUrl,
    SUPABASE_ANON_KEY: stack.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
    SUPABASE_DB_URL: stack.dbUrl,
    CLERK_WEBHOOK_DB_URL: stack.webhookDbUrl,
    CLERK_WEBHOOK_SIGNING_SECRET: testSecrets.current,
    ...env,
  }, logFile);
  stopWith(async () => {
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await waitUntilReady(service, name, () => canConnect(port), 60_000);
  return {
    url: `http://127.0.0.1:${port}/`,
    service,
    log: () => readFile(logFile, "utf8"),
  };
}
