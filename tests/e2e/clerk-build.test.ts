/**
 * The local "sign in as" picker hands out tokens for any user; it must never ship.
 * A build with a Clerk key must not contain it, and this proves the markers looked for
 * are real by finding them in a build without one. A build with neither a Clerk key nor
 * the explicit local opt-in (VITE_LOCAL_SIGN_IN=1) fails, saying what to set.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/lib/paths.ts";
import { buildDashboard, type DashboardBuild, DashboardBuildError } from "./support/dashboard.ts";

// A syntactically valid publishable key for a Clerk instance that does not exist.
const dummyClerkKey = `pk_test_${Buffer.from("example-dummy.clerk.accounts.dev$").toString("base64")}`;
const env = { VITE_SUPABASE_URL: "https://project.supabase.example", VITE_SUPABASE_ANON_KEY: "anon-key" };

/** Strings only the local sign-in has. */
const localOnly = ["/dev/token", "Local development only", "Sign in as", "clerk-supabase-sync.local-user"];

const builds: DashboardBuild[] = [];
afterAll(async () => {
  for (const build of builds) await build.remove();
});

async function bundleOf(extraEnv: Record<string, string>) {
  const build = await buildDashboard({ ...env, ...extraEnv });
  builds.push(build);
  const files = await build.files();
  return { names: files.map((f) => f.name), text: files.map((f) => f.text).join("\n") };
}

describe("a production build", () => {
  it("with a Clerk key leaves the local sign-in out", async () => {
    const bundle = await bundleOf({ VITE_CLERK_PUBLISHABLE_KEY: dummyClerkKey });
    for (const marker of localOnly) expect(bundle.text, `"${marker}" is in the Clerk build`).not.toContain(marker);
    expect(bundle.names.some((name) => /LocalAuth/.test(name))).toBe(false);
    expect(bundle.names.some((name) => /ClerkAuthProvider/.test(name))).toBe(true);
  });

  it("without a Clerk key or the local opt-in fails, naming VITE_CLERK_PUBLISHABLE_KEY and VITE_LOCAL_SIGN_IN", async () => {
    const refused = await buildDashboard(env).then(
      (build) => {
        builds.push(build);
        return null;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DashboardBuildError);
    const { exitCode, output } = refused as DashboardBuildError;
    expect(exitCode).not.toBe(0);
    expect(output).toContain("A production build needs VITE_CLERK_PUBLISHABLE_KEY");
    expect(output).toContain("set VITE_LOCAL_SIGN_IN=1");
  });

  it("without a Clerk key but with the local opt-in has the local sign-in, where the markers above are found", async () => {
    const sources = await Promise.all(
      ["LocalSignInPanel.tsx", "LocalAuthProvider.tsx", "devTokens.ts"].map((file) => readFile(resolve(repoRoot, "web/src/auth/local", file), "utf8")),
    );
    const bundle = await bundleOf({ VITE_LOCAL_SIGN_IN: "1" });
    for (const marker of localOnly) {
      expect(sources.join("\n"), `"${marker}" is no longer in the local sign-in's source`).toContain(marker);
      expect(bundle.text).toContain(marker);
    }
    expect(bundle.names.some((name) => /ClerkAuthProvider/.test(name))).toBe(false);
  });
});
