import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { bin, repoRoot } from "./paths.ts";

/**
 * Runs the Supabase CLI from node_modules against a database URL.
 * supabase/config.toml reads the Clerk domain from CLERK_DOMAIN, and the CLI refuses to
 * start without a valid one; local tooling never talks to Clerk, so a placeholder
 * stands in when it is unset.
 */
export async function supabaseCli(args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(bin("supabase"), args, {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        ...process.env,
        PGSSLMODE: "disable",
        CLERK_DOMAIN: process.env.CLERK_DOMAIN || "local.clerk.accounts.dev",
      },
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`supabase ${args[0]} ${args[1] ?? ""} failed:\n${stdout}${stderr}`.trim());
  }
}

/** The URL with TLS off: the local databases speak plain TCP on loopback. */
export function plainUrl(dbUrl: string): string {
  const url = new URL(dbUrl);
  url.searchParams.set("sslmode", "disable");
  return url.toString();
}
