import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv, type Plugin } from "vite";

/**
 * A production build without a Clerk key would ship the local "sign in as anyone"
 * picker, which hands out a token for any user: refuse it unless the build says, with
 * VITE_LOCAL_SIGN_IN=1, that it is meant for the local stack (tests, a demo).
 */
function requireClerkKeyInProduction(env: Record<string, string>): Plugin {
  return {
    name: "require-clerk-key-in-production",
    apply: "build",
    configResolved(config) {
      if (!config.isProduction) return;
      if (env.VITE_CLERK_PUBLISHABLE_KEY?.trim() || env.VITE_LOCAL_SIGN_IN === "1") return;
      throw new Error(
        "A production build needs VITE_CLERK_PUBLISHABLE_KEY (pk_live_… from the Clerk dashboard → API keys), " +
          "or it ships the local “sign in as anyone” picker. Set VITE_CLERK_PUBLISHABLE_KEY, or set VITE_LOCAL_SIGN_IN=1 " +
          "to build the local sign-in on purpose, for the local stack only.",
      );
    },
  };
}

export default defineConfig(({ mode }) => {
  // What Vite itself will inline: web/.env* files, then the VITE_* environment variables.
  const env = loadEnv(mode, "web", "VITE_");
  return {
    root: "web",
    plugins: [react(), requireClerkKeyInProduction(env)],
    server: { host: "127.0.0.1", port: 5173, strictPort: true },
    build: {
      outDir: "dist",
      emptyOutDir: true,
      rolldownOptions: {
        output: {
          // Libraries in chunks of their own, so an app release does not invalidate them
          // in browsers' caches. Clerk stays in the lazily loaded Clerk chunk.
          codeSplitting: {
            groups: [
              { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
              { name: "supabase", test: /node_modules[\\/]@supabase[\\/]/ },
              { name: "tanstack-query", test: /node_modules[\\/]@tanstack[\\/]/ },
            ],
          },
        },
      },
    },
  };
});
