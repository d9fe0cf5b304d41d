import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One local stack (Postgres, PostgREST, Deno, gateway) on free ports for the whole
    // run; tests read its status with inject("stack").
    globalSetup: ["tests/support/global-stack.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        // Pure code only: this project does not extend the root, so a unit run starts no
        // stack and takes seconds. A test that needs the stack belongs in integration.
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: { name: "integration", include: ["tests/integration/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "reliability", include: ["tests/reliability/**/*.test.ts"] },
      },
      {
        // The SQL apply path against one embedded PostgreSQL with supabase/schemas
        // applied: no PostgREST, no Deno, so this project does not extend the root.
        test: {
          name: "sql",
          include: ["tests/sql/**/*.test.ts"],
          globalSetup: ["tests/sql/support/global-database.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The dashboard's components in jsdom, against a fake PostgREST: no stack needed,
        // so this project does not extend the root (whose globalSetup starts one).
        plugins: [react()],
        test: {
          name: "web",
          environment: "jsdom",
          include: ["web/src/**/*.test.{ts,tsx}"],
          setupFiles: ["web/src/test/setup.ts"],
        },
      },
      {
        // The built dashboard in Debian's Chromium against the run's stack.
        extends: true,
        test: { name: "e2e", include: ["tests/e2e/**/*.test.ts"], testTimeout: 90_000 },
      },
    ],
  },
});
