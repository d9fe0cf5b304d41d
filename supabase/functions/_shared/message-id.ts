/**
 * Which message ids an operator or admin may name (replay, discard). Svix's are `msg_`
 * and 27 base62 characters, the backfill's `backfill:user_…:1700000000000`. Anything else
 * is refused before it reaches a query: PostgREST filters are text, and an id holding
 * `"` or `,` once turned `in.("…")` into a list of other ids.
 */
export const messageIdPattern = /^[A-Za-z0-9_:.-]{1,256}$/;

export function isMessageId(value: unknown): value is string {
  return typeof value === "string" && messageIdPattern.test(value);
}

/** What a caller is told when an id does not pass (400 in the admin function, exit 2 in the CLI). */
export function messageIdProblem(value: unknown): string {
  return `${JSON.stringify(value)} is not a message id: expected 1 to 256 of A-Z a-z 0-9 _ : . - (like msg_2Yc4…)`;
}

/** An id that is not a message id reached the ledger code, which never sends one to a query. */
export class InvalidMessageIdError extends Error {
  override name = "InvalidMessageIdError";
  constructor(readonly id: unknown) {
    super(messageIdProblem(id));
  }
}
