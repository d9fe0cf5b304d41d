import { readFileSync, writeFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { resolve } from "node:path";
import { postgrestBinary } from "../lib/paths.ts";
import { isAlive, readStatus, type StackStatus, statusFile } from "../lib/status.ts";
import { bootstrapSupabaseRoles, type Database, externalDatabase, pushMigrations, startEmbeddedPostgres } from "./database.ts";
import { discoverFunctions, readFunctionsEnvFile, startFunction } from "./functions.ts";
import { createGateway, type FunctionRoute } from "./gateway.ts";
import { loadOrCreateKeys, postgrestJwks } from "./keys.ts";
import { startReconcileTimer } from "./reconcile-timer.ts";
import {
  canConnect,
  freePort,
  isPortFree,
  type RestartableService,
  type ServiceExit,
  type StackPart,
  startRestartable,
  startService,
  waitUntilReady,
} from "./processes.ts";

export interface StackOptions {
  /** Data, keys, logs and status.json live here. */
  stateDir: string;
  /** The gateway's port (Supabase convention: 54321). */
  apiPort: number;
  /** The embedded database's port (Supabase convention: 54322). */
  dbPort: number;
  /** Use this PostgreSQL instead of the embedded one. */
  externalDbUrl?: string;
  /** Extra environment for the Edge Functions; wins over supabase/functions/.env. */
  functionEnv?: Record<string, string>;
  /** Read supabase/functions/.env, as `supabase functions serve` does (default true). */
  readFunctionsEnvFile?: boolean;
  /** POST clerk-reconcile every this many seconds, as pg_cron does when deployed (default: off). */
  reconcileIntervalSeconds?: number;
  /** Progress lines: "postgres ready (1.2 s)". */
  onProgress?: (step: string, ms: number) => void;
}

export interface RunningStack {
  status: StackStatus;
  /** Resolves when a part of the stack stops on its own: the stack is then broken. */
  died: Promise<ServiceExit>;
  /** The processes the stack started (PostgREST, functions), for measurements. */
  processes: Array<{ name: string; pid: number }>;
  /** Stops everything it started, in reverse order. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * The parts, for fault tests: each can be stopped, killed and started again in place
   * (same port, same data). Stopping a part on purpose does not resolve `died`.
   */
  parts: { database: Database; postgrest: StackPart; functions: Map<string, StackPart> };
}

/**
 * Starts the local Supabase-compatible stack: PostgreSQL (embedded unless
 * `externalDbUrl`), Supabase's roles, the migrations (through the Supabase CLI),
 * PostgREST, every Edge Function under Deno, and one gateway on `apiPort`.
 * If any step fails, what was started is stopped again before the error is thrown.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { stateDir } = options;
  const logs = resolve(stateDir, "logs");
  await mkdir(logs, { recursive: true });
  await claimStateDir(stateDir);

  const stops: Array<() => Promise<void>> = [];
  const deaths: Promise<ServiceExit>[] = [];
  const processes: RunningStack["processes"] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const step of stops.reverse()) await step().catch(() => {});
    await rm(statusFile(stateDir), { force: true });
    await rm(lockFile(stateDir), { force: true });
  };
  const watch = (service: RestartableService) => {
    stops.push(() => service.stop());
    deaths.push(service.exited);
    // A getter: a fault test may restart the service, and its pid with it.
    if (service.pid) processes.push({ name: service.name, get pid() { return service.pid ?? 0; } });
  };
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await work();
    options.onProgress?.(name, Date.now() - started);
    return result;
  };

  try {
    await step("ports checked", () => assertPortsFree(options));
    const keys = await loadOrCreateKeys(stateDir);
    const apiUrl = `http://127.0.0.1:${options.apiPort}`;

    const database: Database = await step("postgres ready", () =>
      options.externalDbUrl
        ? Promise.resolve(externalDatabase(options.externalDbUrl))
        : startEmbeddedPostgres(stateDir, options.dbPort, resolve(logs, "postgres.log")));
    stops.push(() => database.stop());
    if (database.exited) deaths.push(database.exited);

    const authenticatorPassword = keys.jwtSecret.slice(0, 24);
    await step("supabase roles bootstrapped", () => bootstrapSupabaseRoles(database.url, authenticatorPassword));
    await step("migrations applied (supabase db push)", () => pushMigrations(database.url));

    const postgrestPort = await freePort();
    const adminPort = await freePort();
    const dbUrl = new URL(database.url);
    const postgrest = await step("postgrest ready", () => startRestartable("postgrest", () => startService("postgrest", postgrestBinary(), [], {
      logFile: resolve(logs, "postgrest.log"),
      env: {
        PATH: process.env.PATH,
        PGRST_DB_URI: `postgres://authenticator:${authenticatorPassword}@${dbUrl.host}${dbUrl.pathname}`,
        PGRST_DB_SCHEMAS: "public",
        PGRST_DB_EXTRA_SEARCH_PATH: "public,extensions",
        PGRST_DB_ANON_ROLE: "anon",
        PGRST_DB_MAX_ROWS: "1000",
        PGRST_DB_POOL: "20",
        PGRST_JWT_SECRET: postgrestJwks(keys),
        PGRST_SERVER_HOST: "127.0.0.1",
        PGRST_SERVER_PORT: String(postgrestPort),
        PGRST_ADMIN_SERVER_PORT: String(adminPort),
        PGRST_LOG_LEVEL: "warn",
      },
    }), (service) => waitUntilReady(service, "PostgREST", async () => (await fetch(`http://127.0.0.1:${adminPort}/ready`)).ok)));
    watch(postgrest);

    const functionEnv = { ...(options.readFunctionsEnvFile === false ? {} : readFunctionsEnvFile()), ...options.functionEnv };
    const webhookSecrets = functionEnv.CLERK_WEBHOOK_SIGNING_SECRET ?? keys.webhookSecret;
    const routes = new Map<string, FunctionRoute>();
    const functions = new Map<string, StackPart>();
    for (const fn of discoverFunctions()) {
      const port = await freePort();
      const service = await step(`function ${fn.name} ready`, () => startRestartable(`function ${fn.name}`, () => startFunction(fn, port, {
        SUPABASE_URL: apiUrl,
        SUPABASE_ANON_KEY: keys.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
        SUPABASE_DB_URL: database.url,
        ...functionEnv,
        CLERK_WEBHOOK_SIGNING_SECRET: webhookSecrets,
      }, resolve(logs, `function-${fn.name}.log`)), (started) =>
        waitUntilReady(started, `function ${fn.name}`, () => canConnect(port), 120_000)));
      watch(service);
      functions.set(fn.name, service);
      routes.set(fn.name, { url: `http://127.0.0.1:${port}`, verifyJwt: fn.verifyJwt });
    }

    const gateway = createGateway({ postgrestUrl: `http://127.0.0.1:${postgrestPort}`, functions: routes, keys, issuer: `${apiUrl}/dev` });
    await step(`gateway listening on ${apiUrl}`, () => listen(gateway, options.apiPort));
    stops.push(() => closeServer(gateway));
    if (options.reconcileIntervalSeconds) {
      const timer = startReconcileTimer({
        url: `${apiUrl}/functions/v1/clerk-reconcile`,
        serviceRoleKey: keys.serviceRoleKey,
        intervalSeconds: options.reconcileIntervalSeconds,
        log: (line) => options.onProgress?.(line, 0),
      });
      stops.push(() => timer.stop());
    }

    const status: StackStatus = {
      apiUrl,
      dbUrl: database.url,
      anonKey: keys.anonKey,
      serviceRoleKey: keys.serviceRoleKey,
      webhookUrl: `${apiUrl}/functions/v1/clerk-webhook`,
      webhookSecret: webhookSecrets.split(/[\s,]+/)[0],
      devTokenUrl: `${apiUrl}/dev/token`,
      jwksUrl: `${apiUrl}/dev/jwks.json`,
      stateDir,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    await writeFile(statusFile(stateDir), JSON.stringify(status, null, 2));
    return { status, died: Promise.race(deaths), processes, stop, parts: { database, postgrest, functions } };
  } catch (error) {
    await stop();
    throw error;
  }
}

function lockFile(stateDir: string): string {
  return resolve(stateDir, "stack.pid");
}

/** One stack per state folder: a second one is told where the first one is. */
async function claimStateDir(stateDir: string): Promise<void> {
  const running = await readStatus(stateDir);
  if (running) {
    throw new StackAlreadyRunning(running);
  }
  try {
    const pid = Number(readFileSync(lockFile(stateDir), "utf8"));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(`Another stack (pid ${pid}) is starting in ${stateDir}. Wait for it, or stop it first.`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  writeFileSync(lockFile(stateDir), String(process.pid));
}

export class StackAlreadyRunning extends Error {
  constructor(readonly status: StackStatus) {
    super(
      `A stack is already running (pid ${status.pid}) with its API on ${status.apiUrl}.\n` +
        "Use it as it is (`npm run stack -- --status` prints its keys), or stop it with Ctrl-C in its terminal first.",
    );
  }
}

async function assertPortsFree(options: StackOptions): Promise<void> {
  const wanted: Array<[number, string]> = [[options.apiPort, "API (STACK_API_PORT)"]];
  if (!options.externalDbUrl) wanted.push([options.dbPort, "database (STACK_DB_PORT)"]);
  for (const [port, what] of wanted) {
    if (!(await isPortFree(port))) {
      throw new Error(
        `Port ${port} for the ${what} is taken by another program. Stop it (\`ss -ltnp | grep ${port}\` shows which), or choose another port with the variable in brackets.`,
      );
    }
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => done());
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}
