/**
 * The operator's commands, for a deployed project as much as for the local stack:
 * they talk to SUPABASE_URL with SUPABASE_SERVICE_ROLE_KEY (else the running stack),
 * and backfill and reconcile read Clerk's Backend API (see config.ts).
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { command, type Command, CommandError, UsageError, wholeNumber } from "../lib/cli.ts";
import { progress } from "../lib/progress.ts";
import { type ClerkKind, createClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { isMessageId, messageIdProblem } from "../../supabase/functions/_shared/message-id.ts";
import { clerkKinds, type KindReport, supabaseTarget, syncFromClerk, TooManyDeletesError } from "./backfill.ts";
import { loadOperatorConfig, operatorClient } from "./config.ts";
import { discardFailedAndReport } from "./discard-failed.ts";
import { exportEvents } from "./export.ts";
import { describePreview, previewPrune, pruneLedger, pruneRequest } from "./prune-ledger.ts";
import { replayFailedAndReport } from "./replay-failed.ts";
import { formatReports } from "./report.ts";

const readOptions = {
  only: { type: "string", value: "KINDS", description: `Only these kinds, comma-separated: ${clerkKinds.join(",")}` },
  "page-size": { type: "string", value: "N", description: "Objects per Backend API request, 1 to 500 (default 100)" },
} as const;

const backfill = command({
  name: "backfill",
  summary: "Apply every user, organization and membership Clerk holds, like webhooks",
  options: readOptions,
  details: `Reads Clerk's Backend API (CLERK_SECRET_KEY, CLERK_API_URL) and applies each object as the
webhook would, clocked by its updated_at: a newer webhook always wins, and a second run changes nothing.`,
  run: ({ values }) => syncCommand("backfill", values),
});

const reconcile = command({
  name: "reconcile",
  summary: "Apply only the difference with Clerk, both ways, and print it",
  options: {
    ...readOptions,
    "dry-run": { type: "boolean", description: "Print the difference and change nothing" },
    "max-deletes": { type: "string", value: "N", description: "Tombstone at most N rows of a kind (default: 10, or 10 % of them)" },
  },
  details: `Upserts what is missing, older or tombstoned here; tombstones live rows Clerk no longer has,
after Clerk answers 404 for each one.`,
  run: ({ values }) => syncCommand("reconcile", values),
});

const replayFailedCommand = command({
  name: "replay-failed",
  summary: "Re-apply the ledger's failed events (after a fix), through the webhook's own mappers",
  options: {
    id: { type: "string", multiple: true, value: "msg_…", description: "Only this failed event" },
    limit: { type: "string", value: "N", description: "At most N events" },
  },
  async run({ values }) {
    const limit = values.limit === undefined ? undefined : wholeNumber(values.limit, "--limit", { min: 1 });
    const ids = values.id && messageIds(values.id);
    const config = await loadOperatorConfig();
    return await replayFailedAndReport(operatorClient(config), { ids, limit });
  },
});

const discardFailedCommand = command({
  name: "discard-failed",
  summary: "Give up on failed events that no fix can apply (recorded and audited), so sync_health stops failing",
  options: {
    id: { type: "string", multiple: true, value: "msg_…", description: "The failed event to discard (repeat for several; required)" },
    reason: { type: "string", value: "TEXT", description: "Why, for the audit (at most 500 characters)" },
    "dry-run": { type: "boolean", description: "Show what would be discarded and change nothing" },
  },
  details: `Each event is settled as 'discarded' in the ledger, with who (cli:<your login>) and when, and
one row in clerk_event_audit says why. Its payload stays until prune-ledger clears it. Replay an
event instead when a fix can make it apply: replay-failed --id msg_….`,
  async run({ values }) {
    if (!values.id?.length) throw new UsageError("discard-failed needs --id msg_… (one or more): it never discards every failed event at once.");
    const ids = messageIds(values.id);
    if (values.reason !== undefined && values.reason.length > 500) throw new UsageError("--reason must be at most 500 characters.");
    const config = await loadOperatorConfig();
    return await discardFailedAndReport(operatorClient(config), { ids, reason: values.reason, dryRun: values["dry-run"] === true });
  },
});

const pruneLedgerCommand = command({
  name: "prune-ledger",
  summary: "Clear ledger payloads (and delete rows) older than an age; failed events are kept",
  options: {
    "older-than": { type: "string", value: "AGE", description: "Clear payloads older than this: 90m, 12h, 30d or 2w (required)" },
    "delete-older-than": { type: "string", value: "AGE", description: "Also delete rows older than this, at least 2d, e.g. 180d" },
    "dry-run": { type: "boolean", description: "Print how many rows would change, and their range; change nothing" },
  },
  async run({ values }) {
    const request = pruneRequest(values["older-than"], values["delete-older-than"]);
    const config = await loadOperatorConfig();
    const client = operatorClient(config);
    if (values["dry-run"]) {
      console.log(describePreview(request, await previewPrune(client, request)));
      return 0;
    }
    const result = await pruneLedger(client, request);
    const rows = request.rowsOlderThan ? ` older than ${request.rowsOlderThan.text}` : "";
    console.log(`Cleared ${result.payloads_cleared} payloads older than ${request.payloadsOlderThan.text}; deleted ${result.rows_deleted} rows${rows}. Failed events were kept.`);
    return 0;
  },
});

/** The --id values, each checked as a message id before anything is asked of the database. */
function messageIds(ids: string[]): string[] {
  const invalid = ids.find((id) => !isMessageId(id));
  if (invalid !== undefined) throw new UsageError(`--id ${messageIdProblem(invalid)}`);
  return ids;
}

const exportCommand = command({
  name: "export",
  summary: "Write the ledger's events as JSONL, the format replay reads",
  options: {
    out: { type: "string", value: "FILE", description: "Write to this file (default: standard output)" },
    type: { type: "string", value: "TYPE", description: "Only this event type, or a prefix such as user.*" },
    limit: { type: "string", value: "N", description: "At most N events, oldest first" },
  },
  details: `Events whose payload prune-ledger cleared cannot be exported. Replayed to the same database
they are duplicates (same message ids); to another, such as a fresh local stack, they apply.

  npm run clerk -- export --type user.* --limit 100 --out events.jsonl
  npm run clerk -- replay events.jsonl`,
  async run({ values }) {
    const limit = values.limit === undefined ? undefined : wholeNumber(values.limit, "--limit", { min: 1 });
    const config = await loadOperatorConfig();
    const lines = exportEvents(operatorClient(config), { type: values.type, limit });
    let count = 0;
    const out = values.out ? createWriteStream(values.out) : process.stdout;
    for await (const line of lines) {
      if (!out.write(`${line}\n`)) await once(out, "drain");
      count++;
    }
    if (out !== process.stdout) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    console.error(`Exported ${count} event${count === 1 ? "" : "s"}${values.out ? ` to ${values.out}` : ""}.${count ? ` Send them again with \`npm run clerk -- replay ${values.out ?? "<file>"}\`.` : ""}`);
    return 0;
  },
});

export const operatorCommands: Command[] = [backfill, reconcile, replayFailedCommand, discardFailedCommand, pruneLedgerCommand, exportCommand];

async function syncCommand(
  mode: "backfill" | "reconcile",
  values: { "dry-run"?: boolean; only?: string; "max-deletes"?: string; "page-size"?: string },
): Promise<number> {
  const kinds = values.only ? values.only.split(",").map((kind) => kind.trim()) : clerkKinds;
  const unknown = kinds.filter((kind) => !(clerkKinds as string[]).includes(kind));
  if (unknown.length) throw new UsageError(`--only takes ${clerkKinds.join(", ")}; not ${unknown.join(", ")}.`);
  const pageSize = values["page-size"] === undefined ? undefined : wholeNumber(values["page-size"], "--page-size", { min: 1 });
  const maxDeletes = values["max-deletes"] === undefined ? undefined : wholeNumber(values["max-deletes"], "--max-deletes");
  const config = await loadOperatorConfig();
  if (!config.clerkSecretKey) {
    throw new CommandError(
      "CLERK_SECRET_KEY is not set: copy the secret key (sk_…) from the Clerk dashboard → API keys. " +
        "To try it locally, start `npm run clerk -- fake-api`: it prints the CLERK_API_URL and CLERK_SECRET_KEY to use.",
    );
  }

  let bar: ReturnType<typeof progress> | undefined;
  const reader = createClerkReader({
    secretKey: config.clerkSecretKey,
    apiUrl: config.clerkApiUrl,
    pageSize,
    onWait: (ms, reason) => {
      const note = `${reason}: waiting ${(ms / 1000).toFixed(1)} s`;
      if (bar && process.stderr.isTTY) bar.tick(0, `(${note})`);
      else console.error(`  ${note}`);
    },
  });
  const dryRun = values["dry-run"] === true;
  console.error(`${dryRun ? "Dry run: nothing will change. " : ""}${mode === "backfill" ? "Backfilling" : "Reconciling"} from ${config.clerkApiUrl} into ${config.supabaseUrl}`);

  const target = supabaseTarget(operatorClient(config));
  const reports: KindReport[] = [];
  try {
    // One kind at a time, so that a failure still prints what was done before it.
    for (const kind of kinds as ClerkKind[]) {
      reports.push(...await syncFromClerk({
        reader,
        target,
        mode,
        dryRun,
        kinds: [kind],
        maxDeletes,
        progress: (label, total) => (bar = progress(label, total)),
      }));
    }
  } catch (error) {
    if (reports.length) console.log(formatReports(mode, reports, dryRun));
    if (error instanceof TooManyDeletesError) throw new CommandError(error.message);
    throw error;
  }
  console.log(formatReports(mode, reports, dryRun));
  const failed = reports.some((r) => r.outcomes.failed > 0 || r.invalid.length > 0);
  return failed ? 1 : 0;
}
