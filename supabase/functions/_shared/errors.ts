/**
 * Typed errors of the webhook path. The HTTP layer (handler.ts) maps them to status
 * codes in one place; everything else only throws them.
 */

/** The request is not a valid signed Clerk webhook. Answered with `status` (4xx). */
export class WebhookRequestError extends Error {
  override name = "WebhookRequestError";
  constructor(
    readonly status: 400 | 405 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** The request is signed, but its JSON is not a Clerk event we can read. Answered 400. */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/** The database did not take the event. Answered 500 so that Svix retries. */
export class DatabaseError extends Error {
  override name = "DatabaseError";
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

/** A required setting is missing or malformed. The function refuses to start. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
