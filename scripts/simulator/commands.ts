/**
 * The development simulator's commands: a stand-in for Clerk on a laptop. It builds
 * events in Clerk's shapes, signs them exactly as Svix does, and POSTs them to the local
 * stack's webhook (or --url); and it serves what it sent as a fake Backend API.
 */
import { readFile } from "node:fs/promises";
import { command, type Command, CommandError, type OptionSpecs, UsageError, wholeNumber } from "../lib/cli.ts";
import { stackOptionsFromEnv } from "../lib/env.ts";
import { requireStatus } from "../lib/status.ts";
import { deliver, type DeliveryOptions, type Message, newMessage } from "./delivery.ts";
import { startFakeClerkApi } from "./fake-api.ts";
import { parseEventFile } from "./replay.ts";
import { seedDemoUsers } from "./seed.ts";
import { buildEvent } from "./send.ts";
import { loadState, saveState } from "./state.ts";

/** Where events go: every command that sends takes these. */
const deliveryOptions = {
  url: { type: "string", value: "URL", description: "Webhook URL (default: the running stack's)" },
  secret: { type: "string", value: "whsec_…", description: "Signing secret (default: the running stack's)" },
  headers: { type: "string", value: "svix|webhook", description: "Header names to send (default svix, as Clerk does)" },
  "no-retry": { type: "boolean", description: "Do not retry 5xx answers (by default: Svix's schedule, 1000× faster)" },
} as const satisfies OptionSpecs;

const stateDir = () => stackOptionsFromEnv().stateDir;

/** The running stack, unless --url and --secret say where to send instead. */
async function target(values: { url?: string; secret?: string; headers?: string; "no-retry"?: boolean }) {
  const status = values.url && values.secret ? null : await requireStatus(stateDir());
  if (values.headers !== undefined && values.headers !== "svix" && values.headers !== "webhook") {
    throw new UsageError(`--headers takes svix or webhook, got "${values.headers}".`);
  }
  const delivery: DeliveryOptions = {
    url: values.url ?? status!.webhookUrl,
    secret: values.secret ?? status!.webhookSecret,
    headerStyle: values.headers === "webhook" ? "webhook" : "svix",
    retries: values["no-retry"] ? 0 : undefined,
    onRetry: (attempt, answer, waitMs) => console.error(`  attempt ${attempt} answered ${answer}; retrying in ${waitMs} ms`),
  };
  return { status, delivery };
}

async function sendAndReport(message: Message, options: DeliveryOptions, type: string): Promise<boolean> {
  const result = await deliver(message, options);
  const ok = result.status >= 200 && result.status < 300;
  const tries = result.attempts > 1 ? ` after ${result.attempts} attempts` : "";
  console.log(`${ok ? "✓" : "✗"} ${type} ${message.id} → ${result.status} ${result.body}${tries}`);
  return ok;
}

const send = command({
  name: "send",
  summary: "Send one signed event of a type, e.g. user.created",
  args: ["<type>"],
  options: {
    user: { type: "string", value: "ID", description: "The user to update or delete (default: the newest simulated user)" },
    org: { type: "string", value: "ID", description: "The organization, for organization and membership events" },
    set: { type: "string", multiple: true, value: "field=value", description: "Set a field of data: first_name=Ada, public_metadata='{\"admin\":true}'" },
    ...deliveryOptions,
  },
  details: `Types: user.created, user.updated, user.deleted, organization.created|updated|deleted,
organizationMembership.created|updated|deleted, session.created|ended|removed|revoked, or any
other type (sent with a bare data object).

  npm run clerk -- send user.created --set first_name=Grace --set last_name=Hopper
  npm run clerk -- send user.updated --set username=grace
  npm run clerk -- send user.deleted --user user_…`,
  async run({ values, args: [type] }) {
    const { status, delivery } = await target(values);
    const state = await loadState(stateDir());
    const event = buildEvent(type, state, { user: values.user, org: values.org, set: values.set ?? [], apiUrl: status?.apiUrl });
    await saveState(stateDir(), state);
    return (await sendAndReport(newMessage(event), delivery, type)) ? 0 : 1;
  },
});

const seed = command({
  name: "seed",
  summary: "Send the demo users (the same on every machine; idempotent), with a progress bar",
  options: {
    users: { type: "string", value: "N", description: "How many demo users (default 24)" },
    seed: { type: "string", value: "N", description: "Another set of demo users (default 42)" },
    "no-profiles": { type: "boolean", description: "Do not write their bios, birthdays and countries" },
  },
  async run({ values }) {
    const count = values.users === undefined ? 24 : wholeNumber(values.users, "--users", { min: 1 });
    const result = await seedDemoUsers(await requireStatus(stateDir()), count, {
      seed: values.seed === undefined ? undefined : wholeNumber(values.seed, "--seed"),
      withProfiles: !values["no-profiles"],
    });
    console.log(`Seeded ${count} demo users: ${result.applied} new, ${result.duplicate} already there; ${result.profilesWritten} bios written.`);
    return 0;
  },
});

const replay = command({
  name: "replay",
  summary: "Re-sign and send the events of a JSON or JSONL file",
  args: ["<file>"],
  options: deliveryOptions,
  details: `Each item is a Clerk event, or { "svix_id": "msg_…", "event": { … } } to keep its message id.`,
  async run({ values, args: [file] }) {
    const { delivery } = await target(values);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new CommandError(`cannot read ${file}: ${(error as Error).message}`);
    }
    let failures = 0;
    for (const item of parseEventFile(text)) {
      const ok = await sendAndReport(newMessage(item.event, item.svixId), delivery, String((item.event as { type?: unknown }).type));
      if (!ok) failures++;
    }
    return failures === 0 ? 0 : 1;
  },
});

const fakeApi = command({
  name: "fake-api",
  summary: "Serve the simulator's users, organizations and memberships as Clerk's Backend API",
  options: {
    port: { type: "string", value: "PORT", description: "Port on 127.0.0.1 (default 54340)" },
    "rate-limit": { type: "string", value: "N/Ss", description: "At most N requests per S seconds, then 429 (default 100/10s)" },
  },
  async run({ values }) {
    const limit = /^(\d+)\/(\d+)s$/.exec(values["rate-limit"] ?? "100/10s");
    if (!limit) throw new UsageError("--rate-limit takes requests/seconds, e.g. 100/10s.");
    const api = await startFakeClerkApi({
      state: () => loadState(stateDir()),
      port: values.port === undefined ? 54340 : wholeNumber(values.port, "--port"),
      rateLimit: { requests: Number(limit[1]), windowMs: Number(limit[2]) * 1000 },
    });
    console.log(`Fake Clerk Backend API on ${api.url}, serving the simulator's users, organizations and memberships
(${stateDir()}/clerk-state.json; \`npm run clerk -- send …\` and \`seed\` add to it), at most ${limit[1]} requests per ${limit[2]} s.

  CLERK_API_URL=${api.url} CLERK_SECRET_KEY=${api.secretKey} npm run clerk -- backfill
  CLERK_API_URL=${api.url} CLERK_SECRET_KEY=${api.secretKey} npm run clerk -- reconcile --dry-run

Press Ctrl-C to stop.`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await api.stop();
    return 0;
  },
});

export const simulatorCommands: Command[] = [send, seed, replay, fakeApi];
