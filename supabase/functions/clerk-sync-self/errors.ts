/**
 * The errors clerk-sync-self answers with a status of its own. handler.ts maps them, and
 * the shared ones (DatabaseError, ClerkApiError), to status codes in one place.
 */

/** A refusal: 401 (no or a bad token), 405, 429 (pulled too recently). */
export class SelfSyncRefusal extends Error {
  override name = "SelfSyncRefusal";
  constructor(
    readonly status: 401 | 403 | 405 | 429,
    message: string,
    /** For 429: when the caller may pull again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** PostgREST did not answer the session check: ours, like a database failure. */
export class SessionCheckError extends Error {
  override name = "SessionCheckError";
}

/** Clerk did not answer within the configured time. Answered 503, like Clerk's own 5xx. */
export class ClerkTimeoutError extends Error {
  override name = "ClerkTimeoutError";
}
