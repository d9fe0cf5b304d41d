/**
 * The HTTP shell both functions answer through: one JSON response helper, and one
 * per-request wrapper that times the request, maps every error to a status code, and
 * writes the request's one log line. Each function's handler.ts says which of its
 * errors mean which status; this file only says how an answer is built.
 */
import { DatabaseError } from "./errors.ts";

/**
 * An error a function answers with its own 4xx status. `message` is what the log line
 * says; `answer` is what the caller reads (the same unless given).
 */
export class HttpError extends Error {
  override name = "HttpError";
  readonly answer: string;
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    answer?: string,
  ) {
    super(message);
    this.answer = answer ?? message;
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** The fields every request's log line has; each function adds its own. */
export interface RequestLine {
  msg: string;
  status: number;
  ms: number;
  error?: string;
}

export interface ResponderOptions<Line extends RequestLine> {
  /** The log line's `msg`: the function's name. */
  msg: Line["msg"];
  /** Receives one structured line per request. Never secrets, tokens or payloads. */
  log?: (line: Line) => void;
  /** What the caller reads when the database failed, and when anything else of ours did (both 500). */
  failures: { database: string; internal: string };
  /** Maps a domain error the function answers with a 4xx to its HttpError; anything else is ours (500). */
  asHttpError?: (error: unknown) => HttpError | null;
}

/** Log fields a handler fills in while it works. */
export type LineEntry<Line extends RequestLine> = Partial<Omit<Line, "msg" | "status" | "ms">>;

/**
 * Builds the per-request shell: `respond(work)` runs `work(entry)`, answers its Response,
 * or maps what it threw, and logs one line with whatever `work` wrote into `entry`.
 */
export function createResponder<Line extends RequestLine>(options: ResponderOptions<Line>) {
  const log = options.log ?? ((line: Line) => console.log(JSON.stringify(line)));
  return async (work: (entry: LineEntry<Line>) => Promise<Response>): Promise<Response> => {
    const started = performance.now();
    const entry: LineEntry<Line> = {};
    let response: Response;
    try {
      response = await work(entry);
    } catch (error) {
      response = errorResponse(error, entry, options);
    }
    log({ msg: options.msg, ...entry, status: response.status, ms: Math.round(performance.now() - started) } as Line);
    return response;
  };
}

/**
 * Every error to its answer, in one place. A 4xx tells the caller what to fix; a 500
 * says only that it was ours, and the log line keeps the detail: the database's code
 * and message, or for anything else just the error's name (its message may quote
 * input, which is never logged).
 */
export function errorResponse<Line extends RequestLine>(
  error: unknown,
  entry: LineEntry<Line>,
  options: Pick<ResponderOptions<Line>, "failures" | "asHttpError">,
): Response {
  const refusal = error instanceof HttpError ? error : options.asHttpError?.(error);
  if (refusal) {
    entry.error = refusal.message;
    return json(refusal.status, { error: refusal.answer }, refusal.headers);
  }
  if (error instanceof DatabaseError) {
    entry.error = `database: ${error.code ? `${error.code} ` : ""}${error.message}`;
    return json(500, { error: options.failures.database });
  }
  entry.error = `internal: ${error instanceof Error ? error.name : "unknown"}`;
  return json(500, { error: options.failures.internal });
}
