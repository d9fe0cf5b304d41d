/**
 * What clerk-sync-self refuses, and Clerk's failures as it answers them. handler.ts maps
 * them, and the shared errors, to status codes in one place.
 */
import { HttpError } from "../_shared/http.ts";

/** A refusal of the caller's request: 401 (no or a bad token), 403 (origin), 405, 429 (pulled too recently). */
export class SelfSyncRefusal extends HttpError {
  override name = "SelfSyncRefusal";
  declare readonly status: 401 | 403 | 405 | 429;
  constructor(status: 401 | 403 | 405 | 429, message: string, headers: Record<string, string> = {}) {
    super(status, message, headers);
  }
}

/** Clerk did not answer within the configured time. Answered 503, like Clerk's own 5xx. */
export class ClerkTimeoutError extends Error {
  override name = "ClerkTimeoutError";
}
