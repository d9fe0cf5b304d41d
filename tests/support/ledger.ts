import type pg from "pg";
import { clerkId } from "../../scripts/simulator/ids.ts";

const day = 24 * 3600 * 1000;

/** A ledger row received `daysAgo` days ago, with a payload, written straight into the table; returns its id. */
export async function insertOldLedgerRow(db: pg.Pool, daysAgo: number, outcome: "applied" | "failed" = "applied"): Promise<string> {
  const id = clerkId("msg");
  await db.query(
    `insert into clerk_events (svix_id, type, event_at, received_at, outcome, payload)
     values ($1, 'user.updated', $2, $2, $3, '{"data": {"email": "old@example.com"}}')`,
    [id, new Date(Date.now() - daysAgo * day), outcome],
  );
  return id;
}
