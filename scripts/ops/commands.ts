/**
 * The operator's commands, for a deployed project as much as for the local stack:
 * they talk to SUPABASE_URL with SUPABASE_SERVICE_ROLE_KEY (else the running stack),
 * and backfill and reconcile read Clerk's Backend API (see config.ts).
 */
import { command, type Command, CommandError, UsageError, wholeNumber } from "../lib/cli.ts";
import { progress } from "../lib/progress.ts";
import { createNodeClient } from "../lib/supabase.ts";
import { type ClerkKind, createClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { supabaseReconcileStore } from "../../supabase/functions/_shared/reconcile-store.ts";
import { clerkKinds, type KindSummary, runFromClerk, TooManyDeletesError } from "./backfill.ts";
import { loadOperatorConfig } from "./config.ts";
import { pruneLedger } from "./prune-ledger.ts";
import { replayFailedAndReport } from "./replay-failed.ts";
import { formatReports } from "./report.ts";

const readOptions = {
  only: { type: "string", value: "KINDS", description: `Only these kinds, comma-separated: ${clerkKinds.join(",")}` },
  "page-size": { type: "string", value: "N", description: "Objects per Backend API request, 1 to 500 (default 500)" },
} as const;

const backfill = command({
  name: "backfill",
  summary: "Apply every user, organization and membership Clerk holds, like webhooks",
  options: readOptions,
  details: `Reads Clerk's Backend API (CLERK_SECRET_KEY, CLERK_API_URL) and applies each object as the
webhook would, clocked by its updated_at: a newer webhook always wins, and a second run changes nothing.
The scheduled reconcile's own step, in a loop with its own cursors (it never rewinds the schedule).`,
  run: ({ values }) => syncCommand("backfill", values),
});

const reconcile = command({
  name: "reconcile",
  summary: "Run the scheduled reconcile now, until caught up, with a deletion sweep; print the difference",
  options: {
    ...readOptions,
    "dry-run": { type: "boolean", description: "Print the difference and change nothing" },
    "max-deletes": { type: "string", value: "N", description: "Tombstone at most N rows of a kind (default: 10, or 10 % of them)" },
  },
  details: `The clerk-reconcile function's step, in a loop, under the schedule's lease: upserts what changed
in Clerk since its cursor and is missing or older here, then sweeps every live row here and
tombstones what Clerk no longer has (checked 100 ids per request). --dry-run reads everything
from empty cursors and lists the ids it would upsert and tombstone.`,
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
    const config = await loadOperatorConfig();
    return await replayFailedAndReport(createNodeClient(config.supabaseUrl, config.serviceRoleKey), { ids: values.id, limit });
  },
});

const pruneLedgerCommand = command({
  name: "prune-ledger",
  summary: "Clear ledger payloads (and delete rows) older than an age; failed events are kept",
  options: {
    "older-than": { type: "string", value: "AGE", description: "Clear payloads older than this: 90m, 12h, 30d or 2w (required)" },
    "delete-older-than": { type: "string", value: "AGE", description: "Also delete rows older than this, e.g. 180d" },
  },
  async run({ values }) {
    const olderThan = values["older-than"];
    const deleteOlderThan = values["delete-older-than"];
    if (!olderThan) throw new UsageError("prune-ledger needs --older-than, e.g. --older-than 30d.");
    const config = await loadOperatorConfig();
    const result = await pruneLedger(createNodeClient(config.supabaseUrl, config.serviceRoleKey), olderThan, deleteOlderThan);
    console.log(`Cleared ${result.payloads_cleared} payloads older than ${olderThan}; deleted ${result.rows_deleted} rows${deleteOlderThan ? ` older than ${deleteOlderThan}` : ""}. Failed events were kept.`);
    return 0;
  },
});

export const operatorCommands: Command[] = [backfill, reconcile, replayFailedCommand, pruneLedgerCommand];

async function syncCommand(
  mode: "backfill" | "reconcile",
  values: { "dry-run"?: boolean; only?: string; "max-deletes"?: string; "page-size"?: string },
): Promise<number> {
  const kinds = values.only ? values.only.split(",").map((kind) => kind.trim()) : clerkKinds;
  const unknown = kinds.filter((kind) => !(clerkKinds as string[]).includes(kind));
  if (unknown.length) throw new UsageError(`--only takes ${clerkKinds.join(", ")}; not ${unknown.join(", ")}.`);
  const pageSize = values["page-size"] === undefined ? 500 : wholeNumber(values["page-size"], "--page-size", { min: 1 });
  if (pageSize > 500) throw new UsageError(`--page-size must be at most 500 (Clerk's maximum), got ${pageSize}.`);
  const maxDeletes = values["max-deletes"] === undefined ? undefined : wholeNumber(values["max-deletes"], "--max-deletes");
  const config = await loadOperatorConfig();
  if (!config.clerkSecretKey) {
    throw new CommandError(
      "CLERK_SECRET_KEY is not set: copy the secret key (sk_…) from the Clerk dashboard → API keys. " +
        "To try it locally, start `npm run clerk -- fake-api`: it prints the CLERK_API_URL and CLERK_SECRET_KEY to use.",
    );
  }

  let bar: ReturnType<typeof progress> | undefined;
  // The step's reader: a 429 or 5xx ends a step, and runFromClerk waits before the next.
  const reader = createClerkReader({ secretKey: config.clerkSecretKey, apiUrl: config.clerkApiUrl, pageSize, maxAttempts: 1, maxRateLimitWaits: 0 });
  const dryRun = values["dry-run"] === true;
  console.error(`${dryRun ? "Dry run: nothing will change. " : ""}${mode === "backfill" ? "Backfilling" : "Reconciling"} from ${config.clerkApiUrl} into ${config.supabaseUrl}`);

  let reports: KindSummary[];
  try {
    reports = await runFromClerk({
      mode,
      reader,
      store: supabaseReconcileStore(createNodeClient(config.supabaseUrl, config.serviceRoleKey)),
      kinds: kinds as ClerkKind[],
      dryRun,
      maxDeletes,
      progress: (label, total) => (bar = progress(label, total)),
      onWait: (ms, reason) => {
        const note = `${reason}: waiting ${(ms / 1000).toFixed(1)} s`;
        if (bar && process.stderr.isTTY) bar.tick(0, `(${note})`);
        else console.error(`  ${note}`);
      },
    });
  } catch (error) {
    if (error instanceof TooManyDeletesError) throw new CommandError(error.message);
    throw error;
  }
  console.log(formatReports(mode, reports, dryRun));
  const failed = reports.some((r) => r.outcomes.failed > 0 || r.invalid.length > 0);
  return failed ? 1 : 0;
}
