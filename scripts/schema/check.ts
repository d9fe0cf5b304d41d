/**
 * `npm run check:schema`: fails when supabase/migrations and supabase/schemas describe
 * different databases.
 *
 * Builds one database from the migrations (with the Supabase CLI's `db push`, as a
 * deploy and the local stack apply them) and one from the schema files, on one
 * throwaway PostgreSQL, and compares their catalogs object by object (catalog.ts).
 * Exit 0 when they match, 1 when they differ (each difference is listed), 2 on a
 * usage error.
 */
import { parseArgs } from "node:util";
import {
  compareCatalogs,
  describeDifference,
  readCatalog,
  type CatalogDifference,
} from "./catalog.ts";
import { withScratchCluster } from "./databases.ts";

const usage = `Usage: npm run check:schema [-- --help]

Builds one database from supabase/migrations and one from supabase/schemas and
compares them: tables, columns, constraints, indexes, views, functions, policies,
grants, comments and reference rows. Exits 1 and lists every difference when they
differ. To turn a schema change into a migration: npm run schema:diff -- <name>`;

/** The differences between the database the migrations build and the one the schema files build. */
export async function schemaDrift(): Promise<CatalogDifference[]> {
  return await withScratchCluster(async (cluster) => {
    const [migrations, schemas] = await Promise.all([
      cluster.fromMigrations(),
      cluster.fromSchemas(),
    ]);
    return compareCatalogs(
      await readCatalog(migrations),
      await readCatalog(schemas),
    );
  });
}

async function main() {
  try {
    const { values } = parseArgs({
      options: { help: { type: "boolean", short: "h" } },
      strict: true,
    });
    if (values.help) {
      console.log(usage);
      return;
    }
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  const started = Date.now();
  const drift = await schemaDrift();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (drift.length === 0) {
    console.log(
      `supabase/migrations and supabase/schemas build the same database (${seconds} s).`,
    );
    return;
  }
  console.error(
    `supabase/migrations and supabase/schemas differ in ${drift.length} object(s):\n`,
  );
  for (const difference of drift)
    console.error(describeDifference(difference, ["migrations", "schemas"]));
  console.error(
    "\nIf you changed supabase/schemas, generate the migration: npm run schema:diff -- <name>." +
      "\nIf you wrote a migration by hand, make the same change in supabase/schemas.",
  );
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
