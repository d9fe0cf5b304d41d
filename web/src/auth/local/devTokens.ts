/**
 * Session tokens from the local stack's dev issuer (POST /dev/token): Clerk-shaped
 * RS256 tokens with role "authenticated" that the local PostgREST accepts. They exist
 * only on the local stack; this module is never part of a build with a Clerk key.
 */
export interface DevToken {
  token: string;
  /** Unix seconds. */
  expiresAt: number;
}

export async function requestDevToken(supabaseUrl: string, sub: string): Promise<DevToken> {
  let response: Response;
  try {
    response = await fetch(`${supabaseUrl}/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sub }),
    });
  } catch {
    throw new Error(`The local stack's token issuer at ${supabaseUrl}/dev/token is not answering. Is \`npm run dev\` running?`);
  }
  if (!response.ok) {
    throw new Error(`The local stack refused a token for ${sub} (HTTP ${response.status}): ${await response.text()}`);
  }
  const body = (await response.json()) as { token: string; expires_at: number };
  return { token: body.token, expiresAt: body.expires_at };
}

/**
 * Hands out a cached token for `sub`, fetching a new one shortly before it expires.
 * Concurrent callers share one request.
 */
export function devTokenSource(supabaseUrl: string, sub: string, now = () => Date.now() / 1000) {
  let current: DevToken | null = null;
  let pending: Promise<DevToken> | null = null;
  return async (): Promise<string> => {
    if (current && current.expiresAt - now() > 60) return current.token;
    pending ??= requestDevToken(supabaseUrl, sub).finally(() => {
      pending = null;
    });
    current = await pending;
    return current.token;
  };
}
