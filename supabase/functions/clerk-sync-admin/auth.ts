import { type CallerRpcOptions, CallerRpcUnreachable, rpcAsCaller } from "../_shared/caller-rpc.ts";
import { AdminRequestError } from "./errors.ts";

export type AdminCheckOptions = CallerRpcOptions;

/**
 * Asks the database whether a session token belongs to a sync admin, by calling
 * public.authorize_sync_admin with that very token (see ../_shared/caller-rpc.ts). The
 * database applies the admin rule, the same one sync_health_report uses. Returns the
 * caller's user id.
 */
export function createAdminCheck(options: AdminCheckOptions): (token: string) => Promise<string> {
  return async (token) => {
    let answer;
    try {
      answer = await rpcAsCaller(options, "authorize_sync_admin", token);
    } catch (error) {
      if (error instanceof CallerRpcUnreachable) throw new AdminRequestError(502, `the admin check ${error.message.replace(/^authorize_sync_admin /, "")}`);
      throw error;
    }
    if (answer.status < 300 && typeof answer.body === "string") return answer.body;
    // PostgREST answers 401 for a token it does not accept (and for anon, which may not
    // call the function), 403 for a signed-in user the function refuses (42501).
    if (answer.status === 401) throw new AdminRequestError(401, `session token not accepted: ${answer.reason}`);
    if (answer.status === 403) throw new AdminRequestError(403, "admins only: your session token does not carry metadata.role = admin");
    throw new AdminRequestError(502, `the admin check failed: ${answer.reason}`);
  };
}
