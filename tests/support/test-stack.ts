import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/stack/processes.ts";
import { type RunningStack, type StackOptions, startStack } from "../../scripts/stack/stack.ts";

/** Signing secrets of test stacks: two, as during a rotation. */
export const testSecrets = {
  current: "whsec_dGVzdC1zZWNyZXQtY3VycmVudC0wMTIzNDU2Nzg5",
  previous: "whsec_dGVzdC1zZWNyZXQtcHJldmlvdXMtMDEyMzQ1Njc4",
};

/**
 * A whole stack on free ports in a temporary folder, never on the dev stack's ports.
 * `stop()` stops every process and removes the folder.
 */
export async function startTestStack(
  functionEnv: Record<string, string> = {},
  options: Pick<StackOptions, "reconcileIntervalSeconds" | "dashboardOrigins"> = {},
): Promise<RunningStack> {
  const stateDir = await mkdtemp(join(tmpdir(), "clerk-sync-test-"));
  const stack = await startStack({
    stateDir,
    apiPort: await freePort(),
    dbPort: await freePort(),
    readFunctionsEnvFile: false,
    ...options,
    functionEnv: {
      CLERK_WEBHOOK_SIGNING_SECRET: `${testSecrets.current} ${testSecrets.previous}`,
      ...functionEnv,
    },
  });
  return {
    ...stack,
    async stop() {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
