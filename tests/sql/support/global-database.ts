/**
 * The sql project's setup: ONE embedded PostgreSQL with Supabase's roles and
 * supabase/schemas applied. No PostgREST, no Deno, no gateway: the SQL tests call the
 * apply functions directly, so a failure names the function.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { clusterAt } from "../../../scripts/schema/databases.ts";
import { startEmbeddedPostgres } from "../../../scripts/stack/database.ts";
import { freePort } from "../../../scripts/stack/processes.ts";
import { keepVitestsExitCode } from "../../support/global-stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the database with the schema applied. */
    sqlDatabaseUrl: string;
    /** Superuser URL of the server, for tests that make databases of their own. */
    sqlServerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  keepVitestsExitCode();
  const dir = await mkdtemp(join(tmpdir(), "clerk-sync-sql-tests-"));
  const server = await startEmbeddedPostgres(
    dir,
    await freePort(),
    join(dir, "postgres.log"),
  );
  project.provide("sqlServerUrl", server.url);
  project.provide(
    "sqlDatabaseUrl",
    await clusterAt(server.url).fromSchemas("sql_tests"),
  );
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
