/**
 * Reading Clerk's Backend API with @clerk/backend, the way a long backfill must:
 * page by page in creation order, waiting out 429s for as long as `Retry-After` says,
 * and retrying 5xx answers and network errors a few times with backoff.
 *
 * @clerk/backend itself never retries: it throws a ClerkAPIResponseError carrying the
 * status and `retryAfter` (seconds, from the Retry-After header). The objects it
 * returns are classes in camelCase; their `raw` is the JSON Clerk sent, which is what
 * the shared mappers read, so rows look the same as the webhook's.
 */
import { createClerkClient } from "@clerk/backend";
import { isClerkAPIResponseError } from "@clerk/backend/errors";

/** The three kinds of Clerk object the sync keeps. */
export type ClerkKind = "users" | "organizations" | "memberships";

/** A Clerk object as JSON (UserJSON, OrganizationJSON, OrganizationMembershipJSON). */
export type ClerkObject = Record<string, unknown> & { id: string; updated_at?: number };

export interface ClerkPage {
  items: ClerkObject[];
  /** How many objects of this kind Clerk says it holds. */
  total: number;
}

export interface ClerkReaderOptions {
  secretKey: string;
  /** https://api.clerk.com, or the fake API's URL. */
  apiUrl: string;
  /** Objects per request, 1 to 500 (Clerk's maximum). Default 100. */
  pageSize?: number;
  /** Attempts for a 5xx answer or a network error before giving up. Default 5. */
  maxAttempts?: number;
  /** 429 answers waited out in a row before giving up. Default 50. */
  maxRateLimitWaits?: number;
  /** Told before every wait, for the progress line. */
  onWait?: (waitMs: number, reason: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ClerkReader {
  /** Every object of a kind, oldest first, one page at a time. */
  pages(kind: ClerkKind): AsyncGenerator<ClerkPage>;
  /** One user, or null when Clerk answers 404. */
  user(id: string): Promise<ClerkObject | null>;
  /** One organization, or null when Clerk answers 404. */
  organization(id: string): Promise<ClerkObject | null>;
  /** Every membership of one organization. */
  organizationMemberships(organizationId: string): Promise<ClerkObject[]>;
  /** Every organization membership of one user, each embedding its organization. */
  userMemberships(userId: string): Promise<ClerkObject[]>;
}

/** The Backend API answered with an error that waiting cannot fix, or kept failing. */
export class ClerkApiError extends Error {
  override name = "ClerkApiError";
  constructor(
    message: string,
    readonly status?: number,
    /** Clerk's Retry-After (seconds) on a 429, for a caller that passes the wait on instead of waiting. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function createClerkReader(options: ClerkReaderOptions): ClerkReader {
  const clerk = createClerkClient({ secretKey: options.secretKey, apiUrl: options.apiUrl });
  const limit = options.pageSize ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RangeError("pageSize must be 1 to 500");
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** Runs one request, waiting out rate limits and retrying what may pass. */
  async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      try {
        return await request();
      } catch (error) {
        if (!isClerkAPIResponseError(error)) throw error;
        // A network error has no status: @clerk/backend reports it as "unexpected_error".
        const status = error.status;
        let waitMs: number;
        if (status === 429) {
          if (++rateLimited > (options.maxRateLimitWaits ?? 50)) {
            throw new ClerkApiError(`${what}: still rate limited after ${rateLimited - 1} waits`, 429, error.retryAfter);
          }
          // Retry-After is in seconds; without one, Clerk's limits reset within seconds.
          waitMs = Math.max(error.retryAfter ?? 1, 0) * 1000;
          options.onWait?.(waitMs, "rate limited");
        } else if (status === undefined || status >= 500) {
          if (++failures >= (options.maxAttempts ?? 5)) throw apiError(what, error, failures);
          waitMs = Math.min(500 * 2 ** (failures - 1), 8000);
          options.onWait?.(waitMs, status ? `answered ${status}` : "network error");
        } else {
          throw apiError(what, error);
        }
        await sleep(waitMs);
      }
    }
  }

  /** A single object, or null for a 404. */
  /** Every item of a paginated list, page by page. */
  async function everyItem(what: string, request: (page: { limit: number; offset: number }) => Promise<{ data: Array<{ raw: unknown }> }>) {
    const items: ClerkObject[] = [];
    for (let offset = 0; ; offset += limit) {
      const { data } = await call(`${what} at ${offset}`, () => request({ limit, offset }));
      items.push(...data.map((item) => item.raw as unknown as ClerkObject));
      if (data.length < limit) return items;
    }
  }

  async function maybe(what: string, request: () => Promise<{ raw: unknown }>): Promise<ClerkObject | null> {
    try {
      return (await call(what, request)).raw as unknown as ClerkObject;
    } catch (error) {
      if (error instanceof ClerkApiError && error.status === 404) return null;
      throw error;
    }
  }

  async function listPage(kind: ClerkKind, offset: number): Promise<ClerkPage> {
    const order = { limit, offset, orderBy: "+created_at" as const };
    switch (kind) {
      case "users": {
        const { data, totalCount } = await call(`listing users at ${offset}`, () => clerk.users.getUserList(order));
        return { items: data.map((user) => user.raw as unknown as ClerkObject), total: totalCount };
      }
      case "organizations": {
        const { data, totalCount } = await call(`listing organizations at ${offset}`, () => clerk.organizations.getOrganizationList(order));
        return { items: data.map((organization) => organization.raw as unknown as ClerkObject), total: totalCount };
      }
      case "memberships": {
        const { data, totalCount } = await call(
          `listing memberships at ${offset}`,
          () => clerk.organizations.getInstanceOrganizationMembershipList(order),
        );
        return { items: data.map((membership) => membership.raw as unknown as ClerkObject), total: totalCount };
      }
    }
  }

  return {
    // Offset pages in ascending creation order: objects created during the run land
    // after the last page instead of shifting the pages still to come. An object
    // deleted during the run does shift them, so one run can miss an object; the
    // next reconcile finds it.
    async *pages(kind) {
      for (let offset = 0; ; offset += limit) {
        const page = await listPage(kind, offset);
        if (page.items.length > 0) yield page;
        if (page.items.length < limit) return;
      }
    },
    user: (id) => maybe(`reading user ${id}`, () => clerk.users.getUser(id)),
    organization: (id) => maybe(`reading organization ${id}`, () => clerk.organizations.getOrganization({ organizationId: id })),
    async organizationMemberships(organizationId) {
      const all: ClerkObject[] = [];
      for (let offset = 0; ; offset += limit) {
        const { data } = await call(
          `listing the memberships of ${organizationId}`,
          () => clerk.organizations.getOrganizationMembershipList({ organizationId, limit, offset }),
        );
        all.push(...data.map((membership) => membership.raw as unknown as ClerkObject));
        if (data.length < limit) return all;
      }
    },
    userMemberships: (userId) =>
      everyItem(`listing the memberships of ${userId}`, (page) => clerk.users.getOrganizationMembershipList({ userId, ...page })),
  };
}

function apiError(what: string, error: unknown, attempts?: number): ClerkApiError {
  const tries = attempts ? ` after ${attempts} attempts` : "";
  if (isClerkAPIResponseError(error)) {
    const detail = error.errors.map((e) => e.longMessage ?? e.message).join("; ") || error.message;
    return new ClerkApiError(`${what}: Clerk answered ${error.status ?? "no status"}${tries}: ${detail}`, error.status);
  }
  return new ClerkApiError(`${what}${tries}: ${(error as Error).message}`);
}
