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

export async function requestDevToken(supabaseUrl: string, anonKey: string, sub: string, claims?: Record<string, unknown>): Promise<DevToken> {
  let response: Response;
  try {
    response = await fetch(`${supabaseUrl}/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json", apikey: anonKey },
      body: JSON.stringify(claims ? { sub, claims } : { sub }),
    });
  } catch {
    throw new Error(`The local stack's token issuer at ${supabaseUrl}/dev/token is not answering. Is the local stack running (\`npm run dev\` or \`npm run stack\`)?`);
  }
  if (!response.ok) {
    throw new Error(`The local stack refused a token for ${sub} (HTTP ${response.status}): ${await response.text()}`);
  }
  const body = (await response.json()) as { token: string; expires_at: number };
  return { token: body.token, expiresAt: body.expires_at };
}

/**
 * A token as Clerk issues one with the session token template
 * {"metadata": "{{user.public_metadata}}"} (the one the README asks for): it carries the
 * user's public metadata, read from their synced row with a plain token first. So a
 * user whose public_metadata has "role": "admin" is a sync admin here, as in Clerk.
 * A user not synced yet gets a plain token.
 */
export async function requestTemplatedToken(supabaseUrl: string, anonKey: string, sub: string): Promise<DevToken> {
  const plain = await requestDevToken(supabaseUrl, anonKey, sub);
  const metadata = await readPublicMetadata(supabaseUrl, anonKey, sub, plain.token);
  return metadata ? await requestDevToken(supabaseUrl, anonKey, sub, { metadata }) : plain;
}

async function readPublicMetadata(supabaseUrl: string, anonKey: string, sub: string, token: string): Promise<Record<string, unknown> | null> {
  try {
    const response = await fetch(`${supabaseUrl}/rest/v1/profiles?select=public_metadata&clerk_id=eq.${encodeURIComponent(sub)}`, {
      headers: { apikey: anonKey, authorization: `Bearer ${token}` },
    });
    if (!response.ok) return null;
    const rows = (await response.json()) as Array<{ public_metadata: Record<string, unknown> | null }>;
    const metadata = rows[0]?.public_metadata;
    return metadata && Object.keys(metadata).length > 0 ? metadata : null;
  } catch {
    return null;
  }
}

/** The claims of a token, unverified: for what the page shows, never for what it may do. */
export function tokenClaims(token: string): Record<string, unknown> {
  try {
    const payload = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (char) => char.charCodeAt(0))));
  } catch {
    return {};
  }
}

/**
 * Hands out a cached token for `sub`, fetching a new one shortly before it expires.
 * Concurrent callers share one request.
 */
export function devTokenSource(request: () => Promise<DevToken>, now = () => Date.now() / 1000) {
  let current: DevToken | null = null;
  let pending: Promise<DevToken> | null = null;
  return async (): Promise<string> => {
    if (current && current.expiresAt - now() > 60) return current.token;
    pending ??= request().finally(() => {
      pending = null;
    });
    current = await pending;
    return current.token;
  };
}
