/**
 * The operator's commands of `npm run clerk`, for a real deployment as much as for
 * the local stack:
 *
 *   backfill                    apply every user, organization and membership in Clerk
 *   reconcile [--dry-run]       apply only the difference, both ways, and print it
 *   prune-ledger --older-than 30d [--delete-older-than 180d]
 *   fake-api [--port 54340] [--rate-limit 100/10s]
 *
 * Configuration, read once here:
 *   CLERK_SECRET_KEY            Clerk Backend API secret key (backfill, reconcile)
 *   CLERK_API_URL               default https://api.clerk.com; the fake API's URL locally
 *   SUPABASE_URL                default: the running local stack's API
 *   SUPABASE_SERVICE_ROLE_KEY   default: the running local stack's service-role key
 */
import { parseArgs } from "node:util";
import { stackOptionsFromEnv } from "../lib/env.ts";
import { progress } from "../lib/progress.ts";
import { readStatus } from "../lib/status.ts";
import { createNodeClient } from "../lib/supabase.ts";
import { createClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { clerkKinds, type KindReport, supabaseTarget, syncFromClerk, TooManyDeletesError } from "./backfill.ts";
import type { ClerkKind } from "../../supabase/functions/_shared/clerk-api.ts";
import { fakeSecretKey, startFakeClerkApi } from "./fake-api.ts";
import { loadState } from "./state.ts";

export const operatorCommands = ["backfill", "reconcile", "prune-ledger", "fake-api"] as const;

export function isOperatorCommand(command: string | undefined): command is (typeof operatorCommands)[number] {
  return (operatorCommands as readonly string[]).includes(command ?? "");
}

export const operatorUsage = `Operations (against the local stack, or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY):
  npm run clerk -- backfill [--only users,organizations,memberships]
                                      Read everything from Clerk's Backend API (CLERK_SECRET_KEY,
                                      CLERK_API_URL) and apply it like webhooks, clocked by updated_at
  npm run clerk -- reconcile [--dry-run] [--max-deletes N]
                                      Upsert what is missing or older here, tombstone what Clerk no
                                      longer has (at most 10 % of the rows, or N); print a summary
  npm run clerk -- prune-ledger --older-than 30d [--delete-older-than 180d]
                                      Clear ledger payloads (and delete rows) older than that;
                                      failed events are kept for replay
  npm run clerk -- fake-api [--port 54340] [--rate-limit 100/10s]
                                      A fake Clerk Backend API serving the simulator's state
`;

/** Where the operator commands read and write. Fails naming what is missing. */
export interface OperatorConfig {
  /** Supabase API URL (`SUPABASE_URL`, else the running local stack's). */
  supabaseUrl: string;
  /** Service-role key that calls apply_clerk_event and prune_clerk_events (`SUPABASE_SERVICE_ROLE_KEY`, else the local stack's). */
  serviceRoleKey: string;
  /** Clerk Backend API secret key (`CLERK_SECRET_KEY`); null when unset. */
  clerkSecretKey: string | null;
  /** Clerk Backend API URL (`CLERK_API_URL`, default https://api.clerk.com). */
  clerkApiUrl: string;
}

export async function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): Promise<OperatorConfig> {
  const url = env.SUPABASE_URL?.trim();
  const key = env.SUPABASE_SERVICE_ROLE_KEY?.trim();
  // Both or neither: a deployed project's key must never be sent to a local stack, or back.
  if (Boolean(url) !== Boolean(key)) {
    throw new OperatorError(`${url ? "SUPABASE_SERVICE_ROLE_KEY" : "SUPABASE_URL"} is not set: set both SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, or neither to use the local stack.`);
  }
  const local = url ? null : await readStatus(stackOptionsFromEnv().stateDir);
  if (!url && !local) {
    throw new OperatorError(
      "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are not set and no local stack is running. " +
        "Set both (Supabase dashboard → Project Settings → API), or start the local stack with `npm run stack`.",
    );
  }
  return {
    supabaseUrl: url || local!.apiUrl,
    serviceRoleKey: key || local!.serviceRoleKey,
    clerkSecretKey: env.CLERK_SECRET_KEY?.trim() || null,
    clerkApiUrl: env.CLERK_API_URL?.trim() || "https://api.clerk.com",
  };
}

/** A mistake of the operator's: printed without a stack trace. */
export class OperatorError extends Error {}

export async function runOperatorCommand(command: (typeof operatorCommands)[number], args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "dry-run": { type: "boolean" },
      only: { type: "string" },
      "max-deletes": { type: "string" },
      "page-size": { type: "string" },
      "older-than": { type: "string" },
      "delete-older-than": { type: "string" },
      port: { type: "string" },
      "rate-limit": { type: "string" },
    },
  });
  switch (command) {
    case "backfill":
    case "reconcile":
      return await syncCommand(command, values);
    case "prune-ledger":
      return await pruneLedger(values["older-than"], values["delete-older-than"]);
    case "fake-api":
      return await serveFakeApi(values.port, values["rate-limit"]);
  }
}

async function syncCommand(
  mode: "backfill" | "reconcile",
  values: { "dry-run"?: boolean; only?: string; "max-deletes"?: string; "page-size"?: string },
): Promise<number> {
  const config = await loadOperatorConfig();
  if (!config.clerkSecretKey) {
    throw new OperatorError(
      "CLERK_SECRET_KEY is not set: copy the secret key (sk_…) from the Clerk dashboard → API keys. " +
        `To try it locally, start \`npm run clerk -- fake-api\` and use CLERK_API_URL=http://127.0.0.1:54340 CLERK_SECRET_KEY=${fakeSecretKey}.`,
    );
  }
  if (values["dry-run"] && mode !== "reconcile") throw new OperatorError("--dry-run is for reconcile; backfill changes only what is older.");
  const kinds = values.only ? values.only.split(",").map((kind) => kind.trim()) : clerkKinds;
  const unknown = kinds.filter((kind) => !(clerkKinds as string[]).includes(kind));
  if (unknown.length) throw new OperatorError(`--only takes ${clerkKinds.join(", ")}; not ${unknown.join(", ")}.`);

  let bar: ReturnType<typeof progress> | undefined;
  const reader = createClerkReader({
    secretKey: config.clerkSecretKey,
    apiUrl: config.clerkApiUrl,
    pageSize: values["page-size"] ? whole(values["page-size"], "--page-size") : undefined,
    onWait: (ms, reason) => {
      const note = `${reason}: waiting ${(ms / 1000).toFixed(1)} s`;
      if (bar && process.stderr.isTTY) bar.tick(0, `(${note})`);
      else console.error(`  ${note}`);
    },
  });
  const dryRun = values["dry-run"] === true;
  console.error(`${dryRun ? "Dry run: nothing will change. " : ""}${mode === "backfill" ? "Backfilling" : "Reconciling"} from ${config.clerkApiUrl} into ${config.supabaseUrl}`);

  const target = supabaseTarget(createNodeClient(config.supabaseUrl, config.serviceRoleKey));
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
        maxDeletes: values["max-deletes"] ? whole(values["max-deletes"], "--max-deletes") : undefined,
        progress: (label, total) => (bar = progress(label, total)),
      }));
    }
  } catch (error) {
    if (reports.length) console.log(formatReports(mode, reports, dryRun));
    if (error instanceof TooManyDeletesError) throw new OperatorError(error.message);
    throw error;
  }
  console.log(formatReports(mode, reports, dryRun));
  const failed = reports.some((r) => r.outcomes.failed > 0 || r.invalid.length > 0);
  return failed ? 1 : 0;
}

/** The summary table, one line per kind, and every object the mappers refused. */
export function formatReports(mode: "backfill" | "reconcile", reports: KindReport[], dryRun = false): string {
  const outcomeColumns = ["applied", "stale", "duplicate", "failed"] as const;
  const header = mode === "reconcile"
    ? ["", "in Clerk", "here", "missing", "outdated", "revive", "gone", "same", ...(dryRun ? [] : outcomeColumns), "invalid"]
    : ["", "in Clerk", ...outcomeColumns, "invalid"];
  const rows = reports.map((r) => {
    const outcomes = dryRun ? [] : outcomeColumns.map((o) => r.outcomes[o]);
    return mode === "reconcile"
      ? [r.kind, r.inClerk, r.here, r.missing, r.outdated, r.tombstonedHere, r.gone, r.unchanged, ...outcomes, r.invalid.length]
      : [r.kind, r.inClerk, ...outcomes, r.invalid.length];
  });
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells: Array<string | number>) =>
    cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");
  const lines = [line(header), ...rows.map(line)];
  for (const r of reports) {
    for (const { id, error } of r.invalid) lines.push(`  ✗ ${r.kind} ${id}: ${error}`);
  }
  if (mode === "reconcile") {
    const upserts = reports.reduce((n, r) => n + r.missing + r.outdated + r.tombstonedHere, 0);
    const gone = reports.reduce((n, r) => n + r.gone, 0);
    lines.push(dryRun
      ? `Dry run: would upsert ${upserts} and tombstone ${gone}. Nothing was changed.`
      : `Upserted ${upserts} and tombstoned ${gone}. A stale outcome means a newer webhook had already written the row.`);
  }
  return lines.join("\n");
}

async function pruneLedger(olderThan: string | undefined, deleteOlderThan: string | undefined): Promise<number> {
  if (!olderThan) throw new OperatorError("prune-ledger needs --older-than, e.g. --older-than 30d.");
  const config = await loadOperatorConfig();
  const client = createNodeClient(config.supabaseUrl, config.serviceRoleKey);
  const { data, error } = await client.rpc("prune_clerk_events", {
    payloads_older_than: interval(olderThan, "--older-than"),
    rows_older_than: deleteOlderThan ? interval(deleteOlderThan, "--delete-older-than") : undefined,
  });
  if (error) throw new OperatorError(error.message);
  const { payloads_cleared, rows_deleted } = data as { payloads_cleared: number; rows_deleted: number };
  console.log(`Cleared ${payloads_cleared} payloads older than ${olderThan}; deleted ${rows_deleted} rows${deleteOlderThan ? ` older than ${deleteOlderThan}` : ""}. Failed events were kept.`);
  return 0;
}

async function serveFakeApi(port: string | undefined, rateLimit: string | undefined): Promise<number> {
  const stateDir = stackOptionsFromEnv().stateDir;
  const limit = /^(\d+)\/(\d+)s$/.exec(rateLimit ?? "100/10s");
  if (!limit) throw new OperatorError("--rate-limit takes requests/seconds, e.g. 100/10s.");
  const api = await startFakeClerkApi({
    state: () => loadState(stateDir),
    port: port ? whole(port, "--port") : 54340,
    rateLimit: { requests: Number(limit[1]), windowMs: Number(limit[2]) * 1000 },
  });
  console.log(`Fake Clerk Backend API on ${api.url}, serving the simulator's users, organizations and memberships
(${stateDir}/clerk-state.json; \`npm run clerk -- send …\` and \`seed\` add to it), at most ${limit[1]} requests per ${limit[2]} s.

  CLERK_API_URL=${api.url} CLERK_SECRET_KEY=${api.secretKey} npm run clerk -- backfill
  CLERK_API_URL=${api.url} CLERK_SECRET_KEY=${api.secretKey} npm run clerk -- reconcile --dry-run

Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await api.stop();
  return 0;
}

/** `30d`, `12h`, `90m`, `2w` as a PostgreSQL interval. */
export function interval(value: string, flag: string): string {
  const match = /^(\d+)\s*(m|h|d|w)$/.exec(value.trim());
  if (!match) throw new OperatorError(`${flag} takes a number and a unit (m, h, d or w), e.g. 30d; got "${value}".`);
  const unit = { m: "minutes", h: "hours", d: "days", w: "weeks" }[match[2] as "m" | "h" | "d" | "w"];
  return `${match[1]} ${unit}`;
}

function whole(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new OperatorError(`${flag} must be a whole number, got "${value}".`);
  return number;
}
