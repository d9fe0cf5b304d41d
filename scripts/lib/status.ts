import { chmod, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { defaultStateDir } from "./paths.ts";

/** What a running stack tells its clients, written to `<stateDir>/status.json` once everything answers. */
export interface StackStatus {
  /** Supabase API URL: /rest/v1, /functions/v1/<name>, /dev/token. */
  apiUrl: string;
  /** Postgres connection string for the postgres superuser. */
  dbUrl: string;
  /** Postgres connection string of the clerk_webhook role: the functions' CLERK_WEBHOOK_DB_URL. */
  webhookDbUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  /** The clerk-webhook function's URL through the gateway. */
  webhookUrl: string;
  /** The signing secret the function verifies with (whsec_…); the first one if several. */
  webhookSecret: string;
  /** POST { sub } here for a Clerk-like session token (local stack only). */
  devTokenUrl: string;
  /** Public keys of the dev token issuer. */
  jwksUrl: string;
  /** The fake Clerk Backend API: the simulator's users, as clerk-sync-self reads them. */
  clerkApiUrl: string;
  /** Its secret key (CLERK_SECRET_KEY for it), new on every start. */
  clerkSecretKey: string;
  /** The folder holding data, keys and logs. */
  stateDir: string;
  /** The folder of PostgREST's and the functions' unix sockets (only the gateway is on TCP). */
  socketDir: string;
  /** The process that runs the stack. */
  pid: number;
  startedAt: string;
}

/**
 * Writes a file only this user may read (0600), also over an older, wider one: status.json
 * and keys.json hold the service-role key, the webhook secret and the superuser URL.
 */
export async function writeSecretFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}

export function statusFile(stateDir = defaultStateDir): string {
  return resolve(stateDir, "status.json");
}

/** The running stack's status, or null when no stack is up in `stateDir`. */
export async function readStatus(stateDir = defaultStateDir): Promise<StackStatus | null> {
  let status: StackStatus;
  try {
    status = JSON.parse(await readFile(statusFile(stateDir), "utf8"));
  } catch {
    return null;
  }
  return isAlive(status.pid) ? status : null;
}

/** Like readStatus, but says what to do when nothing runs. */
export async function requireStatus(stateDir = defaultStateDir): Promise<StackStatus> {
  const status = await readStatus(stateDir);
  if (!status) {
    throw new Error("No local stack is running. Start one in another terminal with `npm run stack` (or `npm run dev`).");
  }
  return status;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
