/**
 * Generates supabase/functions/_shared/database.types.ts from the migrations with the
 * Supabase CLI (`supabase gen types typescript --db-url`), formatted with Prettier.
 *
 *   npm run gen:types            write the file
 *   npm run gen:types -- --check exit 1 if the committed file differs
 *
 * Uses the running local stack's database, or a throwaway one with the migrations.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { format } from "prettier";
import { stackOptionsFromEnv } from "./lib/env.ts";
import { repoRoot } from "./lib/paths.ts";
import { plainUrl, supabaseCli } from "./lib/supabase-cli.ts";
import { readStatus } from "./lib/status.ts";
import { bootstrapSupabaseRoles, pushMigrations, startEmbeddedPostgres } from "./stack/database.ts";
import { freePort } from "./stack/processes.ts";

export const typesFile = resolve(repoRoot, "supabase/functions/_shared/database.types.ts");

export async function generateTypes(dbUrl: string): Promise<string> {
  const source = await supabaseCli(["gen", "types", "typescript", `--remote=${plainUrl(dbUrl)}`, "--schema", "public"]);
  return await format(source, { parser: "typescript" });
}

async function withDatabase<T>(work: (dbUrl: string) => Promise<T>): Promise<T> {
  const running = await readStatus(stackOptionsFromEnv().stateDir);
  if (running) return await work(running.dbUrl);
  const dir = await mkdtemp(join(tmpdir(), "clerk-sync-types-"));
  const database = await startEmbeddedPostgres(dir, await freePort(), join(dir, "postgres.log"));
  try {
    await bootstrapSupabaseRoles(database.url, "types-only");
    await pushMigrations(database.url);
    return await work(database.url);
  } finally {
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const generated = await withDatabase(generateTypes);
  if (process.argv.includes("--check")) {
    const committed = await readFile(typesFile, "utf8");
    if (committed !== generated) {
      console.error(`${typesFile} does not match the migrations. Run \`npm run gen:types\` and commit the result.`);
      process.exit(1);
    }
    console.log("database.types.ts matches the migrations.");
  } else {
    await writeFile(typesFile, generated);
    console.log(`Wrote ${typesFile}.`);
  }
}
