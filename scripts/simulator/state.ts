/**
 * The simulator's idea of what Clerk holds: the users, organizations and memberships it
 * has sent events for, in `<stateDir>/clerk-state.json`. `send user.updated` needs the
 * whole user (Clerk sends whole objects), and the fake Clerk Backend API serves the
 * same records.
 */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { OrganizationJSON, OrganizationMembershipJSON, UserJSON } from "./payloads.ts";

export interface ClerkState {
  users: Record<string, UserJSON>;
  organizations: Record<string, OrganizationJSON>;
  memberships: Record<string, OrganizationMembershipJSON>;
}

export function stateFile(stateDir: string): string {
  return resolve(stateDir, "clerk-state.json");
}

export async function loadState(stateDir: string): Promise<ClerkState> {
  try {
    return { users: {}, organizations: {}, memberships: {}, ...JSON.parse(await readFile(stateFile(stateDir), "utf8")) };
  } catch {
    return { users: {}, organizations: {}, memberships: {} };
  }
}

export async function saveState(stateDir: string, state: ClerkState): Promise<void> {
  await writeFile(stateFile(stateDir), JSON.stringify(state, null, 1));
}
