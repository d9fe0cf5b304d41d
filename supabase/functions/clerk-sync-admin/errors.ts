import { HttpError } from "../_shared/http.ts";

/** Anything the admin function refuses; handler.ts answers it with `status`. */
export class AdminRequestError extends HttpError {
  override name = "AdminRequestError";
  declare readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 502;
  constructor(status: 400 | 401 | 403 | 404 | 405 | 413 | 502, message: string) {
    super(status, message);
  }
}
