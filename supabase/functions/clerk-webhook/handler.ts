import type { EventApplier } from "../_shared/apply.ts";
import { InvalidEventError } from "../_shared/errors.ts";
import { type Envelope, ledgerEvent, type Outcome, parseEnvelope } from "../_shared/events.ts";
import { createResponder, HttpError, json, type LineEntry, type RequestLine } from "../_shared/http.ts";
import { WebhookRequestError } from "./errors.ts";
import type { DeliveryVerifier } from "./verify.ts";

/**
 * Svix message ids are `msg_` and 27 characters. A longer one is still signed, but it
 * cannot be a btree key (PostgreSQL refuses index entries over 2704 bytes), which would
 * fail in the database on every retry.
 */
const maxSvixIdLength = 256;

export interface WebhookHandlerOptions {
  verify: DeliveryVerifier;
  apply: EventApplier;
  /** Bodies larger than this get 413 before they are read whole. */
  maxBodyBytes: number;
  /** When set, events from other Clerk instances are refused. */
  instanceId: string | null;
  /** Keep payloads of events that apply in the ledger (failed events always keep theirs). Default true. */
  keepPayloads?: boolean;
  /** Receives one structured line per request. Never secrets, emails or payloads. */
  log?: (line: RequestLog) => void;
}

export interface RequestLog extends RequestLine {
  msg: "clerk-webhook";
  svix_id?: string;
  type?: string;
  outcome?: Outcome;
}

/**
 * The webhook's HTTP layer: read the raw body, verify it, map it, apply it, answer.
 * Every error is mapped to a status code here and nowhere else:
 *
 *   not POST                                      405
 *   body over the limit                           413
 *   bad headers, signature or timestamp           400 (Svix retries: a fixed secret
 *                                                      or clock lets a retry through)
 *   signed, but not a readable Clerk event        400 + webhook-delivery: abort-message
 *     (or a svix-id too long to be a ledger key)     (the same bytes can never be read;
 *                                                    replay it from Svix after a fix)
 *   from another Clerk instance                   400
 *   stored, ignored, stale or duplicate           200 { outcome }
 *   signed, readable, but the data cannot be      422 + webhook-delivery: abort-message
 *     stored (recorded as failed, payload kept      (retrying cannot help; replay it with
 *     for replay)                                    `npm run clerk -- replay-failed`)
 *   the database did not commit                   500, so Svix retries
 */
export function createWebhookHandler(options: WebhookHandlerOptions): (request: Request) => Promise<Response> {
  const respond = createResponder<RequestLog>({
    msg: "clerk-webhook",
    log: options.log,
    failures: { database: "event not stored; Svix will retry", internal: "event not stored; Svix will retry" },
    asHttpError: invalidEventRefusal,
  });
  return (request) => respond((entry) => handle(request, entry));

  async function handle(request: Request, entry: LineEntry<RequestLog>): Promise<Response> {
    if (request.method !== "POST") {
      return json(405, { error: "use POST" }, { allow: "POST" });
    }
    const rawBody = await readBody(request, options.maxBodyBytes);
    const delivery = options.verify(rawBody, request.headers);
    if (delivery.id.length > maxSvixIdLength) {
      entry.svix_id = `${delivery.id.slice(0, 64)}…`;
      throw new InvalidEventError(`svix-id is longer than ${maxSvixIdLength} characters`);
    }
    entry.svix_id = delivery.id;

    let envelope: Envelope;
    try {
      envelope = parseEnvelope(JSON.parse(rawBody));
    } catch (error) {
      if (error instanceof SyntaxError) throw new InvalidEventError("body is not JSON");
      throw error;
    }
    entry.type = envelope.type;

    if (options.instanceId && envelope.instance_id !== options.instanceId) {
      throw new WebhookRequestError(400, "event is from another Clerk instance than CLERK_INSTANCE_ID");
    }

    const event = ledgerEvent(delivery.id, envelope, new Date());
    event.keep_payload = options.keepPayloads ?? true;
    const outcome = await options.apply(event);
    entry.outcome = outcome;
    if (outcome === "failed") {
      return json(422, { outcome, error: "event could not be stored; recorded as failed for replay" }, {
        "webhook-delivery": "abort-message",
      });
    }
    return json(200, { outcome });
  }
}

/** Signed, so Svix sent exactly these bytes, and every retry would be refused again. */
function invalidEventRefusal(error: unknown): HttpError | null {
  return error instanceof InvalidEventError
    ? new HttpError(400, error.message, { "webhook-delivery": "abort-message" }, `invalid event: ${error.message}`)
    : null;
}

/**
 * Reads the body as UTF-8 text, refusing more than `limit` bytes. Content-Length is
 * checked first, and the stream is cut off as soon as it passes the limit, so an
 * oversized body is never held whole in memory.
 */
async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return "";

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new WebhookRequestError(400, "body is not UTF-8");
  }
}

function tooLarge(limit: number): WebhookRequestError {
  return new WebhookRequestError(413, `body is larger than ${limit} bytes`);
}
