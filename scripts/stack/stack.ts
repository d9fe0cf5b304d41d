import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { postgrestBinary } from "../lib/paths.ts";
import { defaultDashboardOrigins } from "../lib/env.ts";
import { isAlive, readStatus, type StackStatus, statusFile, writeSecretFile } from "../lib/status.ts";
import { bootstrapSupabaseRoles, type Database, externalDatabase, pushMigrations, setLoginPassword, startEmbeddedPostgres } from "./database.ts";
import { startFakeClerkApi } from "../simulator/fake-api.ts";
import { loadState } from "../simulator/state.ts";
import { cacheFunctionDependencies, discoverFunctions, type EdgeFunction, readFunctionsEnvFile, startFunction } from "./functions.ts";
import { createGateway, type FunctionRoute } from "./gateway.ts";
import { loadOrCreateKeys, postgrestJwks, rolePassword } from "./keys.ts";
import {
  answersOk,
  canConnect,
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
  /** Functions from outside supabase/functions (the benchmark's peer), served like the others. */
  extraFunctions?: EdgeFunction[];
  /** Read supabase/functions/.env, as `supabase functions serve` does (default true). */
  readFunctionsEnvFile?: boolean;
  /** Browser origins allowed to call /dev/* (default: the Vite dev server's, port 5173). */
  dashboardOrigins?: string[];
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
 * Only the gateway (and the database) listen on TCP: PostgREST and the functions
 * listen on unix sockets in a folder only this user may enter, so no web page can
 * reach them around the gateway's checks.
 * If any step fails, what was started is stopped again before the error is thrown.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { stateDir } = options;
  const logs = resolve(stateDir, "logs");
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await claimStateDir(stateDir);
  // Keys, status.json (the service-role key, the superuser URL) and logs are this user's
  // only. Only once the folder is ours: a running stack's postgres (as root) needs its o+x.
  await chmod(stateDir, 0o700);
  await mkdir(logs, { recursive: true, mode: 0o700 });
  await chmod(logs, 0o700);

  const stops: Array<() => Promise<void>> = [];
  const deaths: Promise<ServiceExit>[] = [];
  const processes: RunningStack["processes"] = [];
  let stopping = false;
  let socketDir: string | null = null;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const step of stops.reverse()) await step().catch(() => {});
    await rm(statusFile(stateDir), { force: true });
    await rm(lockFile(stateDir), { force: true });
    if (socketDir) await rm(socketDir, { recursive: true, force: true });
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
    const dbUrl = new URL(database.url);
    // The webhook's own login (the migrations create it, without a password).
    const webhookDbPassword = rolePassword(keys, "clerk_webhook");
    await setLoginPassword(database.url, "clerk_webhook", webhookDbPassword);
    const webhookDbUrl = `postgres://clerk_webhook:${webhookDbPassword}@${dbUrl.host}${dbUrl.pathname}`;

    socketDir = await makeSocketDir(stateDir);
    const postgrestSocket = join(socketDir, "postgrest.sock");
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
        // No TCP port and no admin server (its /ready would be a TCP port too): the API
        // root on the socket answers 200 only once the schema cache is loaded.
        PGRST_SERVER_UNIX_SOCKET: postgrestSocket,
        PGRST_SERVER_UNIX_SOCKET_MODE: "600",
        PGRST_LOG_LEVEL: "warn",
      },
    }), (service) => waitUntilReady(service, "PostgREST", () => answersOk(postgrestSocket, "/"))));
    watch(postgrest);

    // A fake Clerk Backend API holding the simulator's users (clerk-state.json), so the
    // functions that read Clerk (clerk-sync-self) work locally with no setup. A real key
    // in supabase/functions/.env (or the options) wins, and then nothing points at it.
    // Its key is new on every start: the fake API listens on loopback TCP, where any
    // local program could try a published key.
    const clerkApi = await step("fake Clerk Backend API ready", () =>
      startFakeClerkApi({ state: () => loadState(stateDir), secretKey: `sk_test_local_${randomBytes(24).toString("hex")}` }));
    stops.push(() => clerkApi.stop());
    const configuredEnv = { ...(options.readFunctionsEnvFile === false ? {} : readFunctionsEnvFile()), ...options.functionEnv };
    const functionEnv: Record<string, string> = {
      ...(configuredEnv.CLERK_SECRET_KEY ? {} : { CLERK_API_URL: clerkApi.url, CLERK_SECRET_KEY: clerkApi.secretKey }),
      ...configuredEnv,
    };
    const webhookSecrets = functionEnv.CLERK_WEBHOOK_SIGNING_SECRET ?? keys.webhookSecret;
    const routes = new Map<string, FunctionRoute>();
    const functions = new Map<string, StackPart>();
    const edgeFunctions = [...discoverFunctions(), ...(options.extraFunctions ?? [])];
    await step("function dependencies cached (deno install)", () => cacheFunctionDependencies(edgeFunctions, resolve(logs, "deno-install.log")));
    for (const fn of edgeFunctions) {
      const socket = join(socketDir, `function-${fn.name}.sock`);
      const service = await step(`function ${fn.name} ready`, () => startRestartable(`function ${fn.name}`, () => startFunction(fn, socket, {
        SUPABASE_URL: apiUrl,
        SUPABASE_ANON_KEY: keys.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
        SUPABASE_DB_URL: database.url,
        CLERK_WEBHOOK_DB_URL: webhookDbUrl,
        // The local stack is where loopback dashboards are expected; a deployed
        // clerk-sync-admin or clerk-sync-self accepts no browser origin until it is told one.
        SYNC_ADMIN_ALLOWED_ORIGINS: "loopback",
        SELF_SYNC_ALLOWED_ORIGINS: "loopback",
        ...functionEnv,
        CLERK_WEBHOOK_SIGNING_SECRET: webhookSecrets,
      }, resolve(logs, `function-${fn.name}.log`)), (started) =>
        waitUntilReady(started, `function ${fn.name}`, () => canConnect(socket), 120_000)));
      watch(service);
      functions.set(fn.name, service);
      routes.set(fn.name, { socket, verifyJwt: fn.verifyJwt });
    }

    const gateway = createGateway({
      postgrestSocket,
      functions: routes,
      keys,
      issuer: `${apiUrl}/dev`,
      dashboardOrigins: options.dashboardOrigins ?? defaultDashboardOrigins(),
    });
    await step(`gateway listening on ${apiUrl}`, () => listen(gateway, options.apiPort));
    stops.push(() => closeServer(gateway));

    const status: StackStatus = {
      apiUrl,
      dbUrl: database.url,
      webhookDbUrl,
      anonKey: keys.anonKey,
      serviceRoleKey: keys.serviceRoleKey,
      webhookUrl: `${apiUrl}/functions/v1/clerk-webhook`,
      webhookSecret: webhookSecrets.split(/[\s,]+/)[0],
      devTokenUrl: `${apiUrl}/dev/token`,
      clerkApiUrl: clerkApi.url,
      clerkSecretKey: clerkApi.secretKey,
      jwksUrl: `${apiUrl}/dev/jwks.json`,
      stateDir,
      socketDir,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    await writeSecretFile(statusFile(stateDir), JSON.stringify(status, null, 2));
    return { status, died: Promise.race(deaths), processes, stop, parts: { database, postgrest, functions } };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The folder of PostgREST's and the functions' unix sockets: `<stateDir>/run`, or a
 * fresh folder under the system's temporary one when that path would be longer than
 * a socket address may be (108 bytes on Linux, 104 on macOS). Mode 0700 either way.
 */
async function makeSocketDir(stateDir: string): Promise<string> {
  const longestName = "function-" + "x".repeat(40) + ".sock";
  const inState = resolve(stateDir, "run");
  if (join(inState, longestName).length < 100) {
    await rm(inState, { recursive: true, force: true });
    await mkdir(inState, { mode: 0o700 });
    return inState;
  }
  return await mkdtemp(join(tmpdir(), "clerk-stack-"));
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
