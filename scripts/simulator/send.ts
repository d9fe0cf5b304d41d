/**
 * `send`: builds one event in Clerk's shape for a type and updates the simulated Clerk
 * state as Clerk would (a created user is remembered, an update bumps `updated_at`, a
 * deletion forgets it). It only changes the state it is given: the command saves it,
 * once the webhook has accepted the event.
 */
import { UsageError } from "../lib/cli.ts";
import { clerkId } from "./ids.ts";
import { deletedJSON, envelope, membershipJSON, type OrganizationJSON, organizationJSON, sessionJSON, type UserJSON, userJSON } from "./payloads.ts";
import type { ClerkState } from "./state.ts";

/** The event types the simulator builds in Clerk's shapes. Any other needs --any-type. */
export const eventCatalogue = [
  "user.created",
  "user.updated",
  "user.deleted",
  "organization.created",
  "organization.updated",
  "organization.deleted",
  "organizationMembership.created",
  "organizationMembership.updated",
  "organizationMembership.deleted",
  "session.created",
  "session.ended",
  "session.removed",
  "session.revoked",
] as const;

export function isCatalogued(type: string): boolean {
  return (eventCatalogue as readonly string[]).includes(type);
}

/** What an event is about, for the line after the answer: "user user_2Nn… (Grace Hopper)". */
export interface Subject {
  kind: "user" | "organization" | "membership" | "session" | "object";
  id: string;
  /** A name, or who and where for a membership. */
  label?: string;
}

export interface BuiltEvent {
  event: unknown;
  subject: Subject;
}

export interface BuildOptions {
  user?: string;
  org?: string;
  set: string[];
  apiUrl?: string;
}

/** Builds the event for `type`, updating the simulated Clerk state as Clerk would. */
export function buildEvent(type: string, state: ClerkState, options: BuildOptions): BuiltEvent {
  const now = Date.now();
  const fields = parseSetFlags(options.set);
  const [resource, action] = type.split(".");
  if (!isCatalogued(type)) {
    // A type the simulator does not know (sent with --any-type): a bare data object, and no state change.
    const id = options.user ?? clerkId("ins");
    return { event: envelope(type, { object: resource, id, ...fields }, now), subject: { kind: "object", id } };
  }
  const avatar = (seed: string, name: string) =>
    options.apiUrl ? `${options.apiUrl}/dev/avatar/${encodeURIComponent(seed)}.svg?name=${encodeURIComponent(name)}` : undefined;
  const userSubject = (user: UserJSON): Subject => ({ kind: "user", id: user.id, label: [user.first_name, user.last_name].filter(Boolean).join(" ") || undefined });
  const orgSubject = (org: OrganizationJSON): Subject => ({ kind: "organization", id: org.id, label: org.name });

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
        imageUrl: avatar(id, `${first} ${last}`),
        createdAt: now,
      });
      applyFields(user, fields);
      state.users[id] = user;
      delete state.deletedUsers?.[id];
      return { event: envelope(type, user, now), subject: userSubject(user) };
    }
    const user = findUser(state, options.user);
    if (action === "deleted") {
      delete state.users[user.id];
      const { id, first_name, last_name, username, created_at } = user;
      state.deletedUsers = { ...state.deletedUsers, [id]: { id, first_name, last_name, username, created_at, deleted_at: now } };
      return { event: envelope(type, deletedJSON("user", user.id), now), subject: userSubject(user) };
    }
    const renamed = "first_name" in fields || "last_name" in fields;
    applyFields(user, fields);
    // The local avatar draws the user's initials from its URL: a rename gets a new one,
    // as Clerk's generated image follows the name (unless the sender set its own image).
    if (renamed && !("image_url" in fields) && user.image_url.includes("/dev/avatar/")) {
      user.image_url = avatar(user.id, [user.first_name, user.last_name].filter(Boolean).join(" ")) ?? user.image_url;
    }
    user.updated_at = now;
    return { event: envelope(type, user, now), subject: userSubject(user) };
  }

  if (resource === "organization") {
    if (action === "created") {
      const creator = findUser(state, options.user);
      const id = options.org ?? clerkId("org");
      const name = String(fields.name ?? "Acme Inc");
      const org = organizationJSON({ id, name, createdBy: creator.id, createdAt: now, imageUrl: avatar(id, name) });
      applyFields(org, fields);
      state.organizations[org.id] = org;
      return { event: envelope(type, org, now), subject: orgSubject(org) };
    }
    const org = findOrganization(state, options.org);
    if (action === "deleted") {
      delete state.organizations[org.id];
      return { event: envelope(type, deletedJSON("organization", org.id), now), subject: orgSubject(org) };
    }
    applyFields(org, fields);
    org.updated_at = now;
    return { event: envelope(type, org, now), subject: orgSubject(org) };
  }

  if (resource === "organizationMembership") {
    const org = findOrganization(state, options.org);
    const user = findUser(state, options.user);
    const existing = Object.values(state.memberships).find((m) => m.organization.id === org.id && m.public_user_data.user_id === user.id);
    const subject = (membership: { id: string }): Subject => ({ kind: "membership", id: membership.id, label: `${user.id} in ${org.id}` });
    if (action === "created" || !existing) {
      const membership = membershipJSON({ organization: org, user, role: String(fields.role ?? "org:member"), createdAt: now });
      state.memberships[membership.id] = membership;
      return { event: envelope(type, membership, now), subject: subject(membership) };
    }
    if (action === "deleted") {
      delete state.memberships[existing.id];
      return { event: envelope(type, { ...existing, organization: org, updated_at: now }, now), subject: subject(existing) };
    }
    applyFields(existing, fields);
    existing.updated_at = now;
    return { event: envelope(type, existing, now), subject: subject(existing) };
  }

  if (resource === "session") {
    const user = findUser(state, options.user);
    const status = { created: "active", ended: "ended", removed: "removed", revoked: "revoked" }[action] ?? action;
    const session = sessionJSON({ userId: user.id, status, now, user });
    return { event: envelope(type, session, now), subject: { kind: "session", id: session.id, label: `of ${user.id}` } };
  }

  throw new Error(`the simulator has no builder for ${type}`);
}

function findUser(state: ClerkState, id: string | undefined) {
  const users = Object.values(state.users);
  const user = id ? state.users[id] : users.sort((a, b) => b.created_at - a.created_at)[0];
  if (!user) {
    throw new UsageError(id
      ? `the simulator has no user ${id}${state.deletedUsers?.[id] ? " (it was deleted)" : ""}. Send \`user.created --user ${id}\` first, or pick one from \`npm run clerk -- users\`.`
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
      const user = target as UserJSON;
      const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id);
      if (primary) primary.email_address = String(value);
      continue;
    }
    (target as Record<string, unknown>)[field] = value;
  }
}
