/**
 * npm run check:schema (scripts/schema): the catalog comparison finds nothing between the
 * migrations and the schema files, and names exactly the object that differs when one
 * side is changed on purpose.
 */
import pg from "pg";
import { beforeAll, describe, expect, it, inject } from "vitest";
import {
  compareCatalogs,
  readCatalog,
  type Catalog,
} from "../../scripts/schema/catalog.ts";
import { clusterAt } from "../../scripts/schema/databases.ts";

const cluster = clusterAt(inject("sqlServerUrl"));
let schemas: Catalog;

beforeAll(async () => {
  schemas = await readCatalog(await cluster.fromSchemas("check_reference"));
});

/** A database built from the schema files, changed by `sql`, compared with the reference. */
async function differencesAfter(name: string, sql: string) {
  const url = await cluster.fromSchemas(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
  return compareCatalogs(schemas, await readCatalog(url)).map(
    (difference) => difference.object,
  );
}

describe("scripts/schema/catalog.ts", () => {
  it("finds no difference between the database the migrations build and the one the schema files build", async () => {
    const migrations = await readCatalog(
      await cluster.fromMigrations("check_migrations"),
    );
    expect(compareCatalogs(migrations, schemas), "check:schema").toEqual([]);
  });

  it("names exactly the function whose body changed", async () => {
    const changed = await differencesAfter(
      "check_function",
      `create or replace function private.clerk_lock_key(p_clerk_id text) returns bigint language sql immutable
         set search_path = '' as $$ select pg_catalog.hashtextextended('other:' || p_clerk_id, 0) $$`,
    );
    expect(changed, "check:schema").toEqual([
      "function private.clerk_lock_key(p_clerk_id text)",
    ]);
  });

  it("names exactly the table whose grant changed", async () => {
    const changed = await differencesAfter(
      "check_grant",
      "grant select on public.clerk_events to authenticated",
    );
    expect(changed, "check:schema").toEqual(["table public.clerk_events"]);
  });

  it("names exactly the function whose grant changed", async () => {
    const changed = await differencesAfter(
      "check_function_grant",
      "grant execute on function private.apply_event(jsonb) to anon",
    );
    expect(changed, "check:schema").toEqual([
      "function private.apply_event(event jsonb)",
    ]);
  });

  it("names exactly the policy that changed", async () => {
    const changed = await differencesAfter(
      "check_policy",
      `alter policy "Profiles are readable by their owner" on public.profiles using (clerk_id = (select auth.jwt() ->> 'sub'))`,
    );
    expect(changed, "check:schema").toEqual([
      'policy public.profiles "Profiles are readable by their owner"',
    ]);
  });

  it("names exactly the index and the reference rows that changed", async () => {
    const changed = await differencesAfter(
      "check_index_rows",
      "drop index public.clerk_events_failed_idx; delete from public.countries where code = 'SE'",
    );
    expect(changed, "check:schema").toEqual([
      "index public.clerk_events_failed_idx",
      "rows of public.countries",
    ]);
  });
});
