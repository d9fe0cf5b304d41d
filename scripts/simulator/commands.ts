/**
 * The development simulator's commands: a stand-in for Clerk on a laptop. It builds
 * events in Clerk's shapes, signs them exactly as Svix does, and POSTs them to the local
 * stack's webhook (or --url); and it serves what it sent as a fake Backend API.
 */
import { readFile } from "node:fs/promises";
import { command, type Command, CommandError, distance, type OptionSpecs, UsageError, wholeNumber } from "../lib/cli.ts";
import { stackOptionsFromEnv } from "../lib/env.ts";
import { requireStatus } from "../lib/status.ts";
import { deliver, type DeliveryOptions, type Message, newMessage } from "./delivery.ts";
import { startFakeClerkApi } from "./fake-api.ts";
import { parseEventFile } from "./replay.ts";
import { seedDemoUsers } from "./seed.ts";
import { buildEvent, eventCatalogue, isCatalogued } from "./send.ts";
import { type DeletedUser, loadState, saveState, updateState } from "./state.ts";

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
    // Svix counts an answer slower than 15 s as a failure.
    timeoutMs: 15_000,
    onRetry: (attempt, answer, waitMs) => console.error(`  attempt ${attempt} answered ${answer}; retrying in ${waitMs} ms`),
  };
  return { status, delivery };
}

/** Sends one message and prints the answer; a missing answer says what to check. */
async function sendAndReport(message: Message, options: DeliveryOptions, type: string): Promise<boolean> {
  const result = await deliver(message, options);
  const ok = result.status >= 200 && result.status < 300;
  const tries = result.attempts > 1 ? ` after ${result.attempts} attempts` : "";
  if (result.failure) {
    console.log(`✗ ${type} ${message.id} → no answer: ${result.failure.message} (${result.failure.code})${tries}`);
    console.error(`  Check that the stack is running (\`npm run stack\`, or \`npm run dev\`) and that the URL is right: ${options.url}`);
    return false;
  }
  console.log(`${ok ? "✓" : "✗"} ${type} ${message.id} → ${result.status} ${result.body}${tries}`);
  return ok;
}

const send = command({
  name: "send",
  summary: "Send one signed event of a type, e.g. user.created, and print the id it is about",
  args: ["<type>"],
  options: {
    user: { type: "string", value: "ID", description: "The user to update or delete (default: the newest simulated user)" },
    org: { type: "string", value: "ID", description: "The organization, for organization and membership events" },
    set: { type: "string", multiple: true, value: "field=value", description: "Set a field of data: first_name=Ada, public_metadata='{\"admin\":true}'" },
    "no-deliver": { type: "boolean", description: "Change \"Clerk\" (the stack's fake Backend API) only: the webhook is never sent" },
    "any-type": { type: "boolean", description: "Send a type the simulator does not know, with a bare data object" },
    ...deliveryOptions,
  },
  details: `Types: ${eventCatalogue.join(", ")}.
Other types are refused as a likely typo, unless --any-type.
The simulator remembers what it sent (list the users with \`npm run clerk -- users\`), once the
webhook has accepted it: a refused or failed send changes nothing.

  npm run clerk -- send user.created --set first_name=Grace --set last_name=Hopper
  npm run clerk -- send user.updated --set username=grace
  npm run clerk -- send user.deleted --user user_…
  npm run clerk -- send user.created --no-deliver   a user the webhook never told us about:
                                                   sign in as them, and My profile pulls them`,
  async run({ values, args: [type] }) {
    if (!isCatalogued(type)) {
      const nearest = Math.min(...eventCatalogue.map((known) => distance(known, type)));
      const near = nearest <= 3 ? eventCatalogue.filter((known) => distance(known, type) === nearest) : [];
      const hint = near.length ? ` Did you mean ${near.join(" or ")}?` : "";
      if (!values["any-type"]) {
        throw new UsageError(`"${type}" is not an event type the simulator knows.${hint} To send it anyway (with a bare data object), add --any-type.`);
      }
      console.error(`Warning: "${type}" is not in the simulator's catalogue; sending it with a bare data object.${hint}`);
    }
    if (values["no-deliver"]) return await changeClerkOnly(type, values);
    const { status, delivery } = await target(values);
    const state = await loadState(stateDir());
    const { event, subject } = buildEvent(type, state, { user: values.user, org: values.org, set: values.set ?? [], apiUrl: status?.apiUrl });
    if (!(await sendAndReport(newMessage(event), delivery, type))) return 1;
    await saveState(stateDir(), state);
    console.log(`  ${subject.kind} ${subject.id}${subject.label ? ` (${subject.label})` : ""}`);
    return 0;
  },
});

const users = command({
  name: "users",
  summary: "List the simulated users, newest first: ids, names, and whether they are deleted",
  options: {
    json: { type: "boolean", description: "Print a JSON array, one object per user" },
  },
  details: "The first live user is the one `send` picks when --user is not given.",
  async run({ values }) {
    const state = await loadState(stateDir());
    const listed = (user: Omit<DeletedUser, "deleted_at">, deleted: boolean) => ({
      id: user.id,
      name: [user.first_name, user.last_name].filter(Boolean).join(" "),
      username: user.username,
      deleted,
      created_at: user.created_at,
    });
    const list = [
      ...Object.values(state.users).map((user) => listed(user, false)),
      ...Object.values(state.deletedUsers ?? {}).map((user) => listed(user, true)),
    ].sort((a, b) => Number(a.deleted) - Number(b.deleted) || b.created_at - a.created_at);
    if (values.json) {
      console.log(JSON.stringify(list.map((user) => ({ ...user, created_at: new Date(user.created_at).toISOString() })), null, 2));
      return 0;
    }
    if (list.length === 0) {
      console.log("The simulator has no users yet: `npm run clerk -- send user.created`, or `npm run clerk -- seed`.");
      return 0;
    }
    const header = { id: "ID", name: "NAME", username: "USERNAME", state: "STATE" };
    const table = [header, ...list.map((u) => ({ id: u.id, name: u.name || "—", username: u.username ?? "—", state: u.deleted ? "deleted" : "live" }))];
    const width = (key: keyof typeof header) => Math.max(...table.map((row) => row[key].length));
    for (const row of table) {
      console.log([row.id.padEnd(width("id")), row.name.padEnd(width("name")), row.username.padEnd(width("username")), row.state].join("  "));
    }
    const live = list.filter((u) => !u.deleted).length;
    console.log(`${live} live, ${list.length - live} deleted.`);
    return 0;
  },
});

/**
 * `send --no-deliver`: what Clerk holds changes (the fake Backend API serves it at once),
 * and the webhook that would tell the database is lost, as with a wrong secret or a
 * disabled endpoint. The dashboard's on-demand sync (clerk-sync-self) then has to win.
 */
async function changeClerkOnly(type: string, values: { user?: string; org?: string; set?: string[] }): Promise<number> {
  const status = await requireStatus(stateDir());
  // Under the lock: Clerk's state changes now, whatever happens to any webhook.
  const { subject } = await updateState(stateDir(), (state) =>
    buildEvent(type, state, { user: values.user, org: values.org, set: values.set ?? [], apiUrl: status.apiUrl }));
  console.log(`✓ ${type}: changed in Clerk (${status.clerkApiUrl}); no webhook sent.`);
  console.log(`  ${subject.kind} ${subject.id}${subject.label ? ` (${subject.label})` : ""}`);
  if (subject.kind === "user" && type !== "user.deleted") {
    console.log(`  Sign in as ${subject.id} on the dashboard (Sign in → "Or sign in with a user id"): My profile pulls it from Clerk.`);
  }
  return 0;
}

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

export const exampleEventsFile = "scripts/simulator/examples/events.jsonl";

const replay = command({
  name: "replay",
  summary: "Re-sign and send the events of a JSON or JSONL file",
  args: ["<file>"],
  options: deliveryOptions,
  details: `Each item is a Clerk event, or { "svix_id": "msg_…", "event": { … } } to keep its message id
(a second replay is then answered "duplicate"). A bad line is reported by its number; the
others are still sent. An example to start from:

  npm run clerk -- replay ${exampleEventsFile}`,
  async run({ values, args: [file] }) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CommandError(`cannot read ${file}${code === "ENOENT" ? ": no such file" : `: ${(error as Error).message}`}. For an example, try ${exampleEventsFile}.`);
    }
    const items = parseEventFile(text);
    if (items.length === 0) throw new CommandError(`${file} holds no events.`);
    const { delivery } = await target(values);
    let sent = 0;
    let refused = 0;
    let unreadable = 0;
    for (const item of items) {
      if (item.error !== undefined) {
        unreadable++;
        console.log(`✗ ${item.where}: ${item.error}`);
        continue;
      }
      if (await sendAndReport(newMessage(item.event, item.svixId), delivery, item.event.type)) sent++;
      else refused++;
    }
    const counts = [`${sent} accepted`, refused ? `${refused} not accepted` : "", unreadable ? `${unreadable} unreadable` : ""].filter(Boolean);
    console.log(`${items.length} event${items.length === 1 ? "" : "s"} in ${file}: ${counts.join(", ")}.`);
    return refused + unreadable === 0 ? 0 : 1;
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

export const simulatorCommands: Command[] = [send, users, seed, replay, fakeApi];
