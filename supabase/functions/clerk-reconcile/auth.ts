/**
 * Who may run a step: the service role (`Authorization: Bearer <service-role key>`,
 * what pg_net sends from Vault) or the holder of RECONCILE_SECRET
 * (`x-reconcile-secret`). Never a user: a user's token is neither. Both are compared in
 * constant time, as digests, so neither their content nor their length leaks through
 * the answer's timing.
 */
export async function isAuthorized(request: Request, serviceRoleKey: string, sharedSecret: string | null): Promise<boolean> {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]?.trim();
  const secret = request.headers.get("x-reconcile-secret")?.trim();
  // Both comparisons always run, so which header was sent does not show either.
  const byKey = await constantTimeEqual(bearer ?? "", serviceRoleKey);
  const bySecret = sharedSecret !== null && await constantTimeEqual(secret ?? "", sharedSecret);
  return (bearer !== undefined && byKey) || (secret !== undefined && bySecret);
}

async function constantTimeEqual(given: string, expected: string): Promise<boolean> {
  const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}
