/** What the dashboard needs to know about its environment, read once at start-up. */
export interface DashboardConfig {
  /** The Supabase project (or local stack) URL: /rest/v1 lives under it. */
  supabaseUrl: string;
  /** The anon key: identifies the project; grants only what RLS gives `anon`. */
  supabaseAnonKey: string;
  /** Set in production: sign-in goes through Clerk. Unset: the local stack's dev sign-in. */
  clerkPublishableKey: string | null;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads the VITE_* variables Vite inlined at build time, failing loudly with the name
 * of the first one missing. `npm run dev` sets them from the running local stack.
 */
export function readConfig(env: Record<string, string | boolean | undefined> = import.meta.env): DashboardConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (typeof value !== "string" || value.trim() === "") {
      throw new ConfigError(`${name} is not set. Start the dashboard with \`npm run dev\`, or set it in web/.env.local.`);
    }
    return value.trim();
  };
  const supabaseUrl = required("VITE_SUPABASE_URL").replace(/\/+$/, "");
  try {
    new URL(supabaseUrl);
  } catch {
    throw new ConfigError(`VITE_SUPABASE_URL is not a URL: ${supabaseUrl}`);
  }
  const clerkKey = env.VITE_CLERK_PUBLISHABLE_KEY;
  return {
    supabaseUrl,
    supabaseAnonKey: required("VITE_SUPABASE_ANON_KEY"),
    clerkPublishableKey: typeof clerkKey === "string" && clerkKey.trim() !== "" ? clerkKey.trim() : null,
  };
}
