/** What backfill and reconcile print: a table, one line per kind, then what was done. */
import type { KindReport } from "./backfill.ts";

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
