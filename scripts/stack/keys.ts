import { createHmac, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { writeSecretFile } from "../lib/status.ts";

/**
 * The stack's secrets, made on first run and kept in `<stateDir>/keys.json` (mode 0600):
 * - an HS256 secret, which signs the anon and service-role keys, as in Supabase;
 * - an RS256 key pair standing in for Clerk's instance keys, which signs dev session tokens;
 * - the webhook signing secret the function verifies with, unless one is configured.
 */
export interface StackKeys {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  sessionKid: string;
  sessionPrivateJwk: JWK;
  sessionPublicJwk: JWK;
  webhookSecret: string;
}

/** The password of a database login role of this stack, derived from its secret (so keys.json, made before the role, stays as it is). */
export function rolePassword(keys: StackKeys, role: string): string {
  return createHmac("sha256", keys.jwtSecret).update(`role:${role}`).digest("base64url");
}

export async function loadOrCreateKeys(stateDir: string): Promise<StackKeys> {
  const file = resolve(stateDir, "keys.json");
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    // First run: fall through and make them.
  }
  const jwtSecret = randomBytes(32).toString("base64url");
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const sessionKid = `ins_local_${randomBytes(6).toString("hex")}`;
  const keys: StackKeys = {
    jwtSecret,
    anonKey: await apiKey(jwtSecret, "anon"),
    serviceRoleKey: await apiKey(jwtSecret, "service_role"),
    sessionKid,
    sessionPrivateJwk: { ...(await exportJWK(privateKey)), kid: sessionKid, alg: "RS256" },
    sessionPublicJwk: { ...(await exportJWK(publicKey)), kid: sessionKid, alg: "RS256", use: "sig" },
    webhookSecret: `whsec_${randomBytes(24).toString("base64")}`,
  };
  await writeSecretFile(file, JSON.stringify(keys, null, 2));
  return keys;
}

/** A Supabase API key: an HS256 JWT whose role claim PostgREST switches to. */
async function apiKey(secret: string, role: "anon" | "service_role"): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000);
  return await new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("supabase-local")
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 10 * 365 * 24 * 3600)
    .sign(new TextEncoder().encode(secret));
}

/**
 * PostgREST's PGRST_JWT_SECRET as a JWK Set, so it verifies both kinds of token:
 * the HS256 API keys and the RS256 session tokens.
 */
export function postgrestJwks(keys: StackKeys): string {
  const oct: JWK = { kty: "oct", k: Buffer.from(keys.jwtSecret).toString("base64url"), alg: "HS256" };
  return JSON.stringify({ keys: [oct, keys.sessionPublicJwk] });
}

export interface SessionClaims {
  /** Clerk user id (user_…). */
  sub: string;
  /** Seconds until expiry (default one hour). */
  ttlSeconds?: number;
  /** Active organization, as Clerk's v2 session token carries it in `o`. */
  org?: { id: string; role: string; slug?: string };
  /** Any further claims, as a Clerk session token template would add. */
  extra?: Record<string, unknown>;
}

/**
 * A token shaped like a Clerk session token with the Supabase integration turned on:
 * `sub` is the Clerk user id and `role` is "authenticated".
 */
export async function signSessionToken(keys: StackKeys, issuer: string, claims: SessionClaims): Promise<{ token: string; expiresAt: number }> {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + (claims.ttlSeconds ?? 3600);
  const org = claims.org
    ? { o: { id: claims.org.id, rol: claims.org.role.replace(/^org:/, ""), slg: claims.org.slug }, org_id: claims.org.id, org_role: claims.org.role }
    : {};
  const key = await importJWK(keys.sessionPrivateJwk, "RS256");
  const token = await new SignJWT({
    // A v2 session token unless the caller asks for a v1 one (`v: 1`, as a test of v1 claims would).
    v: 2,
    ...claims.extra,
    ...org,
    role: "authenticated",
    azp: "http://127.0.0.1:5173",
    sid: `sess_local_${randomBytes(8).toString("hex")}`,
  })
    .setProtectedHeader({ alg: "RS256", kid: keys.sessionKid, typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(issuer)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, expiresAt };
}
