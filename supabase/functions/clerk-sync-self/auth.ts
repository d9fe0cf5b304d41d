import { type CallerRpcOptions, CallerRpcUnreachable, rpcAsCaller } from "../_shared/caller-rpc.ts";
import { DatabaseError } from "../_shared/errors.ts";
import { SelfSyncRefusal } from "./errors.ts";

/**
 * The Clerk user id of a session token, as the database reads it: public.session_clerk_id()
 * called with that very token (see ../_shared/caller-rpc.ts). An anon key, a service-role
 * key or a token without `sub` names no user, and is refused like a bad token. A
 * PostgREST that does not answer is ours: DatabaseError, 500.
 */
export function createSessionCheck(options: CallerRpcOptions): (token: string) => Promise<string> {
  return async (token) => {
    let answer;
    try {
      answer = await rpcAsCaller(options, "session_clerk_id", token);
    } catch (error) {
      if (error instanceof CallerRpcUnreachable) throw new DatabaseError(error.message);
      throw error;
    }
    const ok = answer.status < 300;
    if (ok && typeof answer.body === "string" && answer.body.length > 0) return answer.body;
    // 401: a token PostgREST does not accept; 403 (42501): a role that may not call the
    // function (anon, service_role); 200 with null: a signed-in role without a user id.
    if (answer.status === 401 || answer.status === 403 || ok) {
      throw new SelfSyncRefusal(401, `session token not accepted: ${ok ? "it names no user (no sub)" : answer.reason}`);
    }
    throw new DatabaseError(`the session check failed: ${answer.reason}`);
  };
}
