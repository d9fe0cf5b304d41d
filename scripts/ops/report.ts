/** What backfill and reconcile print: a table, one line per kind, then the ids and what was done. */
import type { KindSummary } from "./backfill.ts";

/** The summary table, every object the mappers refused, and in a dry run every id that would change. */
export function formatReports(mode: "backfill" | "reconcile", reports: KindSummary[], dryRun = false): string {
  const outcomeColumns = ["applied", "stale", "duplicate", "failed"] as const;
  const header = [
    "",
    "in Clerk",
    dryRun ? "would upsert" : "upserted",
    "same",
    ...(mode === "reconcile" ? ["checked", dryRun ? "would tombstone" : "tombstoned"] : []),
    ...(dryRun ? [] : outcomeColumns),
    "invalid",
  ];
  const rows = reports.map((r) => [
    r.kind,
    r.read,
    r.upserted.length,
    r.unchanged,
    ...(mode === "reconcile" ? [r.checked, r.tombstoned.length] : []),
    ...(dryRun ? [] : outcomeColumns.map((o) => r.outcomes[o])),
    r.invalid.length,
  ]);
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells: Array<string | number>) =>
    cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");
  const lines = [line(header), ...rows.map(line)];
  for (const r of reports) {
    for (const { id, error } of r.invalid) lines.push(`  ✗ ${r.kind} ${id}: ${error}`);
  }
  const upserts = reports.reduce((n, r) => n + r.upserted.length, 0);
  const gone = reports.reduce((n, r) => n + r.tombstoned.length, 0);
  if (dryRun) {
    for (const r of reports) {
      for (const id of r.upserted) lines.push(`  would upsert     ${r.kind} ${id}`);
      for (const id of r.tombstoned) lines.push(`  would tombstone  ${r.kind} ${id}`);
    }
    lines.push(`Dry run: would upsert ${upserts} and tombstone ${gone}. Nothing was changed.`);
  } else {
    lines.push(`Upserted ${upserts}${mode === "reconcile" ? ` and tombstoned ${gone}` : ""}. "same" counts objects already here, or older than a webhook that won.`);
  }
  return lines.join("\n");
}
