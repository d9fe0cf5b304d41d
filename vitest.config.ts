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
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "integration", include: ["tests/integration/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "reliability", include: ["tests/reliability/**/*.test.ts"] },
      },
    ],
  },
});
