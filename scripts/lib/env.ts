import { resolve } from "node:path";
import { defaultStateDir } from "./paths.ts";

/**
 * Where the local stack runs, from the environment:
 * STACK_DIR (.stack), STACK_API_PORT (54321), STACK_DB_PORT (54322), STACK_DB_URL
 * to use an existing PostgreSQL instead of the embedded one, DASHBOARD_PORT (5173, the
 * dashboard of `npm run dev`), and STACK_DASHBOARD_ORIGINS: more browser origins,
 * comma-separated, that may call /dev/* (a dashboard served elsewhere).
 * STACK_RECONCILE_INTERVAL (seconds; off by default) runs the reconcile's schedule.
 */
export function stackOptionsFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const dashboardPort = Number(env.DASHBOARD_PORT ?? 5173);
  return {
    stateDir: env.STACK_DIR ? resolve(env.STACK_DIR) : defaultStateDir,
    apiPort: Number(env.STACK_API_PORT ?? 54321),
    dbPort: Number(env.STACK_DB_PORT ?? 54322),
    externalDbUrl: env.STACK_DB_URL || undefined,
    dashboardPort,
    dashboardOrigins: [
      ...defaultDashboardOrigins(dashboardPort),
      ...(env.STACK_DASHBOARD_ORIGINS ?? "").split(",").map((origin) => origin.trim()).filter(Boolean),
    ],
    reconcileIntervalSeconds: Number(env.STACK_RECONCILE_INTERVAL) > 0 ? Number(env.STACK_RECONCILE_INTERVAL) : undefined,
  };
}

/** The origins of the dashboard's dev server on `port`, as a browser names them. */
export function defaultDashboardOrigins(port = 5173): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}
