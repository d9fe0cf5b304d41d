import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { WebhookRequestError } from "./errors.ts";

/** What a verified delivery tells us about itself. */
export interface VerifiedDelivery {
  /** Svix message id: stable across retries and replays, the idempotency key. */
  id: string;
  /** Delivery attempt time (Unix seconds). Every retry is re-signed, so this is not the event's time. */
  timestamp: number;
}

/** Verifies a delivery's signature against the raw body; throws WebhookRequestError (400). */
export type DeliveryVerifier = (rawBody: string, headers: Headers) => VerifiedDelivery;

/**
 * Builds a verifier for one or more signing secrets. During a rotation Clerk signs with
 * the new secret while the old one is still configured here (or the other way round),
 * so a delivery is accepted when any secret verifies it.
 *
 * Clerk sends `svix-*` headers; some Svix plans send the Standard Webhooks
 * `webhook-*` names instead. Both are accepted.
 */
export function createDeliveryVerifier(secrets: string[]): DeliveryVerifier {
  const webhooks = secrets.map((secret) => new Webhook(secret));
  return (rawBody, headers) => {
    const id = header(headers, "id");
    const timestamp = header(headers, "timestamp");
    const signature = header(headers, "signature");
    const missing = [!id && "id", !timestamp && "timestamp", !signature && "signature"].filter(Boolean);
    if (missing.length > 0) {
      throw new WebhookRequestError(400, `missing svix-${missing.join(", svix-")} header`);
    }
    // standardwebhooks uses parseInt, which reads "12abc" as 12: insist on digits.
    if (!/^\d{1,12}$/.test(timestamp!)) {
      throw new WebhookRequestError(400, "svix-timestamp is not a Unix time in seconds");
    }
    const standardHeaders = {
      "webhook-id": id!,
      "webhook-timestamp": timestamp!,
      "webhook-signature": signature!,
    };
    for (const webhook of webhooks) {
      try {
        webhook.verify(rawBody, standardHeaders, { jsonParse: false });
        return { id: id!, timestamp: Number(timestamp) };
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        if (/timestamp too (old|new)/.test(error.message)) {
          throw new WebhookRequestError(400, "svix-timestamp is outside the 5-minute tolerance: check the server clock");
        }
        // "No matching signature found" or a malformed header: try the next secret.
      }
    }
    throw new WebhookRequestError(400, "no matching signature: check CLERK_WEBHOOK_SIGNING_SECRET");
  };
}

function header(headers: Headers, name: "id" | "timestamp" | "signature"): string | null {
  return headers.get(`svix-${name}`) || headers.get(`webhook-${name}`) || null;
}
