import { HttpError } from "../_shared/http.ts";

/** The request is not a valid signed Clerk webhook. Answered with `status` (4xx). */
export class WebhookRequestError extends HttpError {
  override name = "WebhookRequestError";
  declare readonly status: 400 | 405 | 413;
  constructor(status: 400 | 405 | 413, message: string) {
    super(status, message);
  }
}
