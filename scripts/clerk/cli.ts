/**
 * The Clerk event simulator: builds events in Clerk's shapes, signs them exactly as Svix
 * does, and POSTs them to the local stack's webhook (or --url).
 *
 *   npm run clerk -- send <type> [--user ID] [--org ID] [--set field=value]…
 *   npm run clerk -- seed --users N
 *   npm run clerk -- replay <file>
 *   npm run clerk -- replay-failed [--id msg_…] [--limit N]
 *   npm run clerk -- backfill | reconcile | prune-ledger | fake-api   (operations.ts)
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { stackOptionsFromEnv } from "../lib/env.ts";
import { requireStatus, type StackStatus } from "../lib/status.ts";
import { deliver, type DeliveryOptions, type Message, newMessage } from "./delivery.ts";
import { isOperatorCommand, operatorUsage, runOperatorCommand } from "./operations.ts";
import { clerkId } from "./ids.ts";
import { deletedJSON, envelope, membershipJSON, organizationJSON, sessionJSON, userJSON } from "./payloads.ts";
import { replayFailedCommand } from "./replay-failed.ts";
import { seedDemoUsers } from "./seed.ts";
import { type ClerkState, loadState, saveState } from "./state.ts";

const usage = `Clerk event simulator: signs events exactly as Svix does and sends them to the webhook.

Usage:
  npm run clerk -- send <type> [options]   Send one event. Types: user.created, user.updated,
                                           user.deleted, organization.created|updated|deleted,
                                           organizationMembership.created|updated|deleted,
                                           session.created|ended|removed|revoked, or any other
                                           type (sent with a bare data object).
      --user ID          The user to update or delete (default: the newest simulated user)
      --org ID           The organization, for organization and membership events
      --set field=value  Set a field of data (repeatable): first_name=Ada, username=ada,
                         email=ada@example.com, image_url=…, public_metadata='{"admin":true}'
  npm run clerk -- seed --users N [--seed 42]   Demo users, idempotent (with a progress bar)
  npm run clerk -- replay <file>                Re-sign and send events from a JSON or JSONL file:
                                                each item a Clerk event, or { "svix_id", "event" }
  npm run clerk -- replay-failed [--id msg_…]… [--limit N]
                                                Re-apply the ledger's failed events (after a fix)
                                                through the webhook's own mappers, as service role;
                                                SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY for a
                                                deployed project, else the running stack

${operatorUsage}
Common options:
  --url URL         Webhook URL (default: the running stack's)
  --secret whsec_…  Signing secret (default: the running stack's)
  --headers svix|webhook   Header names to send (default svix, as Clerk does)
  --no-retry        Do not retry 5xx answers (by default: Svix's schedule, 1000× faster)
`;

async function main(): Promise<number> {
  if (process.argv[2] === "replay-failed") return await replayFailedCommand(process.argv.slice(3));
  const [first, ...rest] = process.argv.slice(2);
  if (isOperatorCommand(first)) return await runOperatorCommand(first, rest);
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      user: { type: "string" },
      org: { type: "string" },
      set: { type: "string", multiple: true },
      users: { type: "string" },
      seed: { type: "string" },
      url: { type: "string" },
      secret: { type: "string" },
      headers: { type: "string" },
      "no-retry": { type: "boolean" },
      "no-profiles": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, argument] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return command || values.help ? 0 : 1;
  }
  const stateDir = stackOptionsFromEnv().stateDir;
  const status = values.url && values.secret ? null : await requireStatus(stateDir);
  const delivery: DeliveryOptions = {
    url: values.url ?? status!.webhookUrl,
    secret: values.secret ?? status!.webhookSecret,
    headerStyle: values.headers === "webhook" ? "webhook" : "svix",
    retries: values["no-retry"] ? 0 : undefined,
    onRetry: (attempt, answer, waitMs) => console.error(`  attempt ${attempt} answered ${answer}; retrying in ${waitMs} ms`),
  };

  switch (command) {
    case "send": {
      if (!argument) throw new UsageError("send needs an event type, e.g. `send user.created`.");
      const state = await loadState(stateDir);
      const event = buildEvent(argument, state, { user: values.user, org: values.org, set: values.set ?? [], apiUrl: status?.apiUrl });
      await saveState(stateDir, state);
      return (await sendAndReport(newMessage(event), delivery, argument)) ? 0 : 1;
    }
    case "seed": {
      const count = Number(values.users ?? 24);
      if (!Number.isInteger(count) || count < 1) throw new UsageError("--users must be a positive whole number.");
      const result = await seedDemoUsers(status ?? (await requireStatus(stateDir)), count, {
        seed: values.seed ? Number(values.seed) : undefined,
        withProfiles: !values["no-profiles"],
      });
      console.log(`Seeded ${count} demo users: ${result.applied} new, ${result.duplicate} already there; ${result.profilesWritten} bios written.`);
      return 0;
    }
    case "replay": {
      if (!argument) throw new UsageError("replay needs a file of events.");
      let failures = 0;
      for (const item of parseEventFile(await readFile(argument, "utf8"))) {
        const ok = await sendAndReport(newMessage(item.event, item.svixId), delivery, String((item.event as { type?: unknown }).type));
        if (!ok) failures++;
      }
      return failures === 0 ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command "${command}".`);
  }
}

class UsageError extends Error {}

async function sendAndReport(message: Message, options: DeliveryOptions, type: string): Promise<boolean> {
  const result = await deliver(message, options);
  const ok = result.status >= 200 && result.status < 300;
  const tries = result.attempts > 1 ? ` after ${result.attempts} attempts` : "";
  console.log(`${ok ? "✓" : "✗"} ${type} ${message.id} → ${result.status} ${result.body}${tries}`);
  return ok;
}

interface BuildOptions {
  user?: string;
  org?: string;
  set: string[];
  apiUrl?: string;
}

/** Builds the event for `type`, updating the simulated Clerk state as Clerk would. */
function buildEvent(type: string, state: ClerkState, options: BuildOptions): unknown {
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

function parseEventFile(text: string): Array<{ svixId?: string; event: unknown }> {
  const trimmed = text.trim();
  const items: unknown[] = trimmed.startsWith("[")
    ? JSON.parse(trimmed)
    : trimmed.startsWith("{") && !trimmed.includes("\n{")
    ? [JSON.parse(trimmed)]
    : trimmed.split("\n").filter(Boolean).map((line) => JSON.parse(line));
  return items.map((item) => {
    const record = item as { svix_id?: string; event?: unknown };
    return record.event !== undefined ? { svixId: record.svix_id, event: record.event } : { event: item };
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`${error instanceof UsageError ? "Usage error: " : "✗ "}${(error as Error).message}`);
  if (error instanceof UsageError) console.error("Run `npm run clerk -- --help` for the commands.");
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
