/**
 * The webhook's own connection to Postgres: postgres.js on CLERK_WEBHOOK_DB_URL, as the
 * clerk_webhook role, which may execute apply_clerk_events and nothing else. One call
 * per group, no gateway and no PostgREST in between: that hop cost more CPU than the
 * upserts themselves (docs/performance.md).
 */
import postgres from "postgres";
import { DatabaseError } from "../_shared/errors.ts";
import type { ApplyOutcome, LedgerEvent } from "../_shared/events.ts";
import type { GroupApplier } from "../_shared/apply.ts";

export interface ApplyDatabaseOptions {
  url: string;
  /**
   * `direct` (a direct connection or the session pooler): a named prepared statement,
   * parsed once per connection, then one Bind/Execute per group. `pooler` (the
   * transaction pooler, port 6543, which cannot keep prepared statements): one
   * simple-protocol Query with the JSON inlined as a quoted literal. postgres.js's own
   * answer for poolers, `prepare: false`, waits for a Describe round trip before every
   * query, which cost 21–28 % of the rate in issue 14's prototype.
   */
  mode: "direct" | "pooler";
  /** Connections: one per group in flight, and a spare that lets the next group run while a timed-out one still holds its own. */
  poolSize: number;
  /** A group not committed this long after it was handed over (waiting for a connection included) fails with DatabaseError 57014; the server's statement_timeout ends its transaction. */
  timeoutMs: number;
}

export interface ApplyDatabase {
  /** One apply_clerk_events call: one transaction. Throws DatabaseError (with the SQLSTATE when there is one). */
  applyGroup: GroupApplier;
  end(): Promise<void>;
}

export function connectApplyDatabase(options: ApplyDatabaseOptions): ApplyDatabase {
  const sql = postgres(options.url, {
    max: options.poolSize,
    prepare: options.mode === "direct",
    // The one query returns json, which needs no type lookup at connect.
    fetch_types: false,
    connect_timeout: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
    idle_timeout: 60,
    onnotice: () => {},
    connection: {
      application_name: "clerk-webhook",
      // The server ends a group that runs too long (a lock wait, a stuck plan). The
      // transaction pooler keeps no session setting: there it is set per query below.
      ...(options.mode === "direct" ? { statement_timeout: options.timeoutMs } : {}),
    },
  });

  const query = (events: LedgerEvent[]) =>
    options.mode === "direct"
      ? sql<Array<{ outcomes: ApplyOutcome[] }>>`select to_json(public.apply_clerk_events(${sql.json(events as unknown as postgres.JSONValue)})) as outcomes`
      // One Query message: the implicit transaction holds both statements, so SET LOCAL
      // lasts exactly as long as this group, on whichever server connection it lands.
      : sql.unsafe(
        `set local statement_timeout = ${options.timeoutMs}; ` +
          `select to_json(public.apply_clerk_events(${sqlLiteral(JSON.stringify(events))}::jsonb)) as outcomes`,
      ).then((results) => (results as unknown as Array<Array<{ outcomes: ApplyOutcome[] }>>)[1]);

  return {
    async applyGroup(events) {
      const pending = query(events);
      // Settled after the race below is lost, its error is not one to report again.
      pending.catch(() => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      // postgres.js has no per-query timeout, and statement_timeout does not cover a
      // wait for a free connection or a server that no longer answers: race a timer.
      // (postgres.js's query.cancel() is not used: when the server is gone, the cancel
      // request it opens fails as a rejection no one can catch.)
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseError(`apply_clerk_events did not commit within ${options.timeoutMs} ms`, "57014")), options.timeoutMs);
      });
      try {
        const rows = await Promise.race([pending, timeout]);
        const outcomes = rows[0]?.outcomes;
        if (!Array.isArray(outcomes) || outcomes.length !== events.length) {
          throw new DatabaseError("apply_clerk_events returned the wrong number of outcomes");
        }
        return outcomes;
      } catch (error) {
        throw asDatabaseError(error);
      } finally {
        clearTimeout(timer);
      }
    },
    end: () => sql.end({ timeout: 5 }),
  };
}

/** postgres.js throws PostgresError (with a SQLSTATE) from the server and plain errors (ECONNREFUSED, CONNECTION_CLOSED…) from the socket: both are ours, 500. */
function asDatabaseError(error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const { message, code } = error as { message?: string; code?: string };
  return new DatabaseError(message ?? String(error), code);
}

/**
 * `text` as a PostgreSQL string literal, written as quote_literal (format's %L) writes
 * it: quotes doubled; if there is a backslash, an E'' literal with backslashes doubled,
 * so it reads the same whatever standard_conforming_strings says. JSON.stringify never
 * writes a raw NUL or control character, and a literal cannot hold a NUL at all.
 */
export function sqlLiteral(text: string): string {
  if (text.includes("\0")) throw new DatabaseError("a SQL literal cannot hold a NUL character");
  const quoted = text.replaceAll("'", "''");
  return text.includes("\\") ? `E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`;
}
