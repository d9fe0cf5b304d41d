// A literal, not the class's name: a minified build renames classes.
const unreachableErrorName = "ApiUnreachableError";

/**
 * The API did not answer at all (a network error, not an HTTP status): nothing a retry a
 * second later is likely to fix, so the dashboard says so at once instead of retrying.
 */
export class ApiUnreachableError extends Error {
  override name = unreachableErrorName;
  constructor(
    readonly apiUrl: string,
    options?: { cause?: unknown },
  ) {
    super(unreachableMessage(apiUrl), options);
  }
}

/** What to do about it: on the local stack, start it; elsewhere, check the connection. */
export function unreachableMessage(apiUrl: string): string {
  return isLoopback(apiUrl)
    ? `The API at ${apiUrl} cannot be reached. Is the local stack running? Start it with \`npm run dev\` (or \`npm run stack\`), then try again.`
    : `The API at ${apiUrl} cannot be reached. Check your connection and the Supabase project’s status, then try again.`;
}

/**
 * A fetch that throws ApiUnreachableError when the request never got an answer. An
 * abort stays an abort.
 */
export function reportingUnreachable(apiUrl: string, fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args)): typeof fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiUnreachableError(apiUrl, { cause: error });
    }
  };
}

/**
 * True for ApiUnreachableError, and for the PostgREST-shaped error supabase-js makes of
 * it ({ message: "ApiUnreachableError: …" }, since it reports a failed fetch that way).
 */
export function isApiUnreachable(error: unknown): boolean {
  return error instanceof ApiUnreachableError || unreachableText(error) !== null;
}

/** The message of an unreachable API, whichever shape it arrived in; null for any other error. */
export function unreachableText(error: unknown): string | null {
  if (error instanceof ApiUnreachableError) return error.message;
  const message = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : null;
  const prefix = `${unreachableErrorName}: `;
  return typeof message === "string" && message.startsWith(prefix) ? message.slice(prefix.length) : null;
}

function isLoopback(apiUrl: string): boolean {
  try {
    const host = new URL(apiUrl).hostname;
    return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
