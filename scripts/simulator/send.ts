/**
 * `send`: builds one event in Clerk's shape for a type and updates the simulated Clerk
 * state as Clerk would (a created user is remembered, an update bumps `updated_at`, a
 * deletion forgets it). Pure over the state it is given: the command saves it.
 */
import { UsageError } from "../lib/cli.ts";
import { clerkId } from "./ids.ts";
import { deletedJSON, envelope, membershipJSON, organizationJSON, sessionJSON, userJSON } from "./payloads.ts";
import type { ClerkState } from "./state.ts";

export interface BuildOptions {
  user?: string;
  org?: string;
  set: string[];
  apiUrl?: string;
}

/** Builds the event for `type`, updating the simulated Clerk state as Clerk would. */
export function buildEvent(type: string, state: ClerkState, options: BuildOptions): unknown {
  const now = Date.now();
  const fields = parseSetFlags(options.set);
  const [resource, action] = type.split(".");

  if (resource === "user") {
    if (action === "created") {
      const id = options.user ?? clerkId("user");
      const first = typeof fields.first_name === "string" ? fields.first_name : "Sam";
      const last = typeof fields.last_name === "string" ? fields.last_name : "Example";
      const user = userJSON({
        id,
        firstName: first,
        lastName: last,
        username: typeof fields.username === "string" ? fields.username : `sam${id.slice(-6).toLowerCase()}`,
        imageUrl: options.apiUrl ? `${options.apiUrl}/dev/avatar/${id}.svg?name=${encodeURIComponent(`${first} ${last}`)}` : undefined,
        createdAt: now,
      });
      applyFields(user, fields);
      state.users[id] = user;
      return envelope(type, user, now);
    }
    const user = findUser(state, options.user);
    if (action === "deleted") {
      delete state.users[user.id];
      return envelope(type, deletedJSON("user", user.id), now);
    }
    applyFields(user, fields);
    user.updated_at = now;
    return envelope(type, user, now);
  }

  if (resource === "organization") {
    if (action === "created") {
      const creator = findUser(state, options.user);
      const org = organizationJSON({ id: options.org, name: String(fields.name ?? "Acme Inc"), createdBy: creator.id, createdAt: now });
      applyFields(org, fields);
      state.organizations[org.id] = org;
      return envelope(type, org, now);
    }
    const org = findOrganization(state, options.org);
    if (action === "deleted") {
      delete state.organizations[org.id];
      return envelope(type, deletedJSON("organization", org.id), now);
    }
    applyFields(org, fields);
    org.updated_at = now;
    return envelope(type, org, now);
  }

  if (resource === "organizationMembership") {
    const org = findOrganization(state, options.org);
    const user = findUser(state, options.user);
    const existing = Object.values(state.memberships).find((m) => m.organization.id === org.id && m.public_user_data.user_id === user.id);
    if (action === "created" || !existing) {
      const membership = membershipJSON({ organization: org, user, role: String(fields.role ?? "org:member"), createdAt: now });
      state.memberships[membership.id] = membership;
      return envelope(type, membership, now);
    }
    if (action === "deleted") {
      delete state.memberships[existing.id];
      return envelope(type, { ...existing, organization: org, updated_at: now }, now);
    }
    applyFields(existing, fields);
    existing.updated_at = now;
    return envelope(type, existing, now);
  }

  if (resource === "session") {
    const user = findUser(state, options.user);
    const status = { created: "active", ended: "ended", removed: "removed", revoked: "revoked" }[action] ?? action;
    return envelope(type, sessionJSON({ userId: user.id, status, now }), now);
  }

  return envelope(type, { object: resource, id: options.user ?? clerkId("ins"), ...fields }, now);
}

function findUser(state: ClerkState, id: string | undefined) {
  const users = Object.values(state.users);
  const user = id ? state.users[id] : users.sort((a, b) => b.created_at - a.created_at)[0];
  if (!user) {
    throw new UsageError(id
      ? `the simulator has no user ${id}. Send \`user.created --user ${id}\` first, or pick one from ${"`npm run clerk -- send user.updated --user <id>`"}.`
      : "the simulator has no users yet. Send `user.created` first.");
  }
  return user;
}

function findOrganization(state: ClerkState, id: string | undefined) {
  const orgs = Object.values(state.organizations);
  const org = id ? state.organizations[id] : orgs.sort((a, b) => b.created_at - a.created_at)[0];
  if (!org) throw new UsageError(id ? `the simulator has no organization ${id}.` : "the simulator has no organizations yet. Send `organization.created` first.");
  return org;
}

/** `--set a=b` flags; values that parse as JSON (numbers, objects, null) are used as such. */
function parseSetFlags(flags: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const flag of flags) {
    const at = flag.indexOf("=");
    if (at < 1) throw new UsageError(`--set takes field=value, got "${flag}".`);
    const raw = flag.slice(at + 1);
    let value: unknown = raw;
    try {
      if (/^[[{]|^-?\d|^(null|true|false)$/.test(raw)) value = JSON.parse(raw);
    } catch {
      // Plain text.
    }
    fields[flag.slice(0, at)] = value;
  }
  return fields;
}

function applyFields(target: object, fields: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (field === "email" && "email_addresses" in target) {
      const user = target as ReturnType<typeof userJSON>;
      const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id);
      if (primary) primary.email_address = String(value);
      continue;
    }
    (target as Record<string, unknown>)[field] = value;
  }
}
