/**
 * What a failed fetch means, for people: the error code (ECONNREFUSED, ENOTFOUND,
 * TIMEOUT…) and a sentence naming the host, instead of Node's "fetch failed".
 */

/** A request that got no HTTP answer: the error code (ECONNREFUSED, ENOTFOUND, TIMEOUT…) and what it means. */
export interface ConnectionFailure {
  code: string;
  message: string;
  /** Nothing listens at the URL, or the host does not exist: retrying soon will not help. */
  unreachable: boolean;
}

const unreachableCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT", "EADDRNOTAVAIL"]);

/** What fetch threw, as a code and a sentence. */
export function connectionFailure(error: unknown, url: string): ConnectionFailure {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const name = (error as Error).name;
  const code = name === "TimeoutError" ? "TIMEOUT" : cause?.code ?? name ?? "ERROR";
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const what: Record<string, string> = {
    ECONNREFUSED: `connection refused: nothing listens at ${host}`,
    ENOTFOUND: `no such host: ${host.replace(/:\d+$/, "")} does not resolve`,
    EAI_AGAIN: `DNS lookup of ${host.replace(/:\d+$/, "")} failed for now`,
    EHOSTUNREACH: `host unreachable: ${host}`,
    ENETUNREACH: `network unreachable: ${host}`,
    UND_ERR_CONNECT_TIMEOUT: `connecting to ${host} timed out`,
    TIMEOUT: `${host} did not answer in time`,
    ECONNRESET: `${host} closed the connection`,
  };
  // No network code at all (a bad port, a malformed URL): fetch refused before connecting.
  const refusedByFetch = !cause?.code && name !== "TimeoutError";
  return {
    code: refusedByFetch ? "INVALID_URL" : code,
    message: what[code] ?? `${host}: ${cause?.message ?? (error as Error).message}`,
    unreachable: refusedByFetch || unreachableCodes.has(code),
  };
}

/**
 * fetch, but a request that gets no answer fails with an error that names the code and
 * the host, and says what to check (`what` names the setting, e.g. SUPABASE_URL).
 */
export function explainingFetch(what: string): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (error) {
      if ((error as Error).name === "AbortError") throw error;
      const url = input instanceof Request ? input.url : String(input);
      const failure = connectionFailure(error, url);
      throw new Error(`${failure.message} (${failure.code}). Check ${what}, or that the local stack runs (\`npm run stack\`).`, { cause: error });
    }
  };
}
