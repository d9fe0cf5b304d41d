/**
 * The simulator's idea of what Clerk holds: the users, organizations and memberships it
 * has sent events for, in `<stateDir>/clerk-state.json`. `send user.updated` needs the
 * whole user (Clerk sends whole objects), and the fake Clerk Backend API serves the
 * same records. It is saved only after the webhook accepted the event, so that a
 * refused or failed send leaves it as it was.
 */
import { open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { OrganizationJSON, OrganizationMembershipJSON, UserJSON } from "./payloads.ts";

export interface ClerkState {
  users: Record<string, UserJSON>;
  organizations: Record<string, OrganizationJSON>;
  memberships: Record<string, OrganizationMembershipJSON>;
  /** Users deleted through the simulator (Clerk no longer has them), for `users`. */
  deletedUsers?: Record<string, DeletedUser>;
}

export interface DeletedUser {
  id: string;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  created_at: number;
  deleted_at: number;
}

export function stateFile(stateDir: string): string {
  return resolve(stateDir, "clerk-state.json");
}

/**
 * What Clerk holds; empty before anything was sent. A file that cannot be read throws:
 * the fake Backend API must answer 500 then, never "no such user" (a 404 for a user is
 * how a deletion is confirmed).
 */
export async function loadState(stateDir: string): Promise<ClerkState> {
  let text: string;
  try {
    text = await readFile(stateFile(stateDir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { users: {}, organizations: {}, memberships: {} };
    throw error;
  }
  return { users: {}, organizations: {}, memberships: {}, ...JSON.parse(text) };
}

/** Writes the whole state at once (a new file renamed over the old), so a reader never sees half of it. */
export async function saveState(stateDir: string, state: ClerkState): Promise<void> {
  const file = stateFile(stateDir);
  const draft = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(draft, JSON.stringify(state, null, 1));
  await rename(draft, file);
}

/**
 * Loads, changes and saves the state under a lock, so two writers at once (two `send`
 * commands, a test and the simulator) never lose each other's change. A lock older
 * than 10 s is a crashed writer's, and is taken over.
 */
export async function updateState<T>(stateDir: string, change: (state: ClerkState) => T | Promise<T>): Promise<T> {
  const lock = `${stateFile(stateDir)}.lock`;
  for (let waited = 0; ; waited += 20) {
    try {
      await (await open(lock, "wx")).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 10_000) await rm(lock, { force: true });
      else await new Promise((done) => setTimeout(done, 20));
      if (waited > 30_000) throw new Error(`${lock} is held by another writer; remove it if no simulator command is running.`);
    }
  }
  try {
    const state = await loadState(stateDir);
    const result = await change(state);
    await saveState(stateDir, state);
    return result;
  } finally {
    await rm(lock, { force: true });
  }
}
