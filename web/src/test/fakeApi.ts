/**
 * A fake of the few PostgREST endpoints the dashboard calls, as a `fetch` for supabase-js,
 * so component tests exercise the real fetchers and query options without a server.
 */

export interface ApiRequest {
  method: string;
  /** Path under /rest/v1, e.g. "/profiles" or "/rpc/profile_feed"; other paths whole ("/functions/v1/…"). */
  path: string;
  params: URLSearchParams;
  body: unknown;
  headers: Headers;
}

export interface ApiReply {
  status?: number;
  /** Rows (an array), or an error object with a status >= 400. */
  body: unknown;
  /** Response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
}

export type ApiHandler = (request: ApiRequest) => ApiReply | Promise<ApiReply>;

export interface FakeApi {
  fetch: typeof fetch;
  /** Every request, in order. */
  requests: ApiRequest[];
  /** Replaces or adds the handler of "METHOD /path". */
  on(route: string, handler: ApiHandler): void;
}

export function fakeApi(routes: Record<string, ApiHandler> = {}): FakeApi {
  const handlers = new Map(Object.entries(routes));
  const requests: ApiRequest[] = [];
  const fakeFetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/^\/rest\/v1/, "");
    const headers = new Headers(init.headers);
    const request: ApiRequest = {
      method,
      path,
      params: url.searchParams,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
      headers,
    };
    requests.push(request);
    const handler = handlers.get(`${method} ${path}`);
    if (!handler) return json(404, { code: "PGRST404", message: `fake API: nothing at ${method} ${path}` });
    const reply = await handler(request);
    const status = reply.status ?? 200;
    // .single() asks for one object; PostgREST answers 406 unless exactly one row matched.
    if (status < 400 && headers.get("accept")?.includes("vnd.pgrst.object") && Array.isArray(reply.body)) {
      if (reply.body.length !== 1) {
        return json(406, { code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned", details: `${reply.body.length} rows` });
      }
      return json(status, reply.body[0]);
    }
    return json(status, reply.body, reply.headers);
  };
  return {
    fetch: fakeFetch as typeof fetch,
    requests,
    on: (route, handler) => handlers.set(route, handler),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** A promise and its resolver, to hold a reply until the test lets it go. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
