/**
 * Hand-made webhook requests for the hostile corpus: Svix's signature computed here
 * (HMAC-SHA256 over `${id}.${timestamp}.${body}`), so a test can change exactly one
 * thing (the version prefix, one byte, the time) and nothing else.
 */
import { createHmac } from "node:crypto";

export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** The base64 HMAC of Svix's signed content, without the `v1,` prefix. */
export function hmac(secret: string, id: string, timestamp: string, body: string | Uint8Array): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
}

export interface SignOptions {
  id: string;
  secret: string;
  /** Seconds from now (default 0). */
  offset?: number;
  style?: "svix" | "webhook";
}

/** A POST exactly as Svix sends it. */
export function signedRequest(body: string | Uint8Array, options: SignOptions): RawRequest {
  const timestamp = String(Math.floor(Date.now() / 1000) + (options.offset ?? 0));
  const style = options.style ?? "svix";
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [`${style}-id`]: options.id,
      [`${style}-timestamp`]: timestamp,
      [`${style}-signature`]: `v1,${hmac(options.secret, options.id, timestamp, body)}`,
    },
    body,
  };
}

/** The request with some headers replaced, or removed when the value is null. */
export function withHeaders(request: RawRequest, changes: Record<string, string | null>): RawRequest {
  const headers = { ...request.headers };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  return { ...request, headers };
}

export async function sendRaw(url: string, request: RawRequest) {
  const response = await fetch(url, { method: request.method, headers: request.headers, body: request.body as BodyInit | undefined });
  const text = await response.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text);
  } catch {
    // HEAD and some refusals have no JSON body.
  }
  return { status: response.status, headers: response.headers, text, json };
}
