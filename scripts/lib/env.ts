import { resolve } from "node:path";
import { defaultStateDir } from "./paths.ts";

/**
 * Where the local stack runs, from the environment:
 * STACK_DIR (.stack), STACK_API_PORT (54321), STACK_DB_PORT (54322), and STACK_DB_URL
 * to use an existing PostgreSQL instead of the embedded one, STACK_RECONCILE_INTERVAL
 * (seconds; off by default) to run the reconcile's schedule.
 */
export function stackOptionsFromEnv() {
  return {
    stateDir: process.env.STACK_DIR ? resolve(process.env.STACK_DIR) : defaultStateDir,
    apiPort: Number(process.env.STACK_API_PORT ?? 54321),
    dbPort: Number(process.env.STACK_DB_PORT ?? 54322),
    externalDbUrl: process.env.STACK_DB_URL || undefined,
    reconcileIntervalSeconds: Number(process.env.STACK_RECONCILE_INTERVAL) > 0 ? Number(process.env.STACK_RECONCILE_INTERVAL) : undefined,
  };
}
