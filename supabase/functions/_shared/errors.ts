/**
 * Typed errors of the sync domain, thrown by the parsing, mapping and apply code that
 * the functions and the scripts share. Each function's HTTP layer maps them to status
 * codes (clerk-webhook/handler.ts, clerk-sync-admin/handler.ts); scripts report them.
 */

/** A signed body whose JSON is not a Clerk event we can read. The same bytes never will be. */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/** The database did not take the call (or did not answer). Worth retrying: it is ours, not the caller's. */
export class DatabaseError extends Error {
  override name = "DatabaseError";
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}
