/**
 * Scratch databases for the schema tooling: one embedded PostgreSQL in a temporary
 * folder, with Supabase's roles, in which each caller creates the databases it needs
 * (one built from supabase/migrations, one from supabase/schemas).
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { repoRoot } from "../lib/paths.ts";
import {
  bootstrapSupabaseRoles,
  pushMigrations,
  startEmbeddedPostgres,
} from "../stack/database.ts";
import { freePort } from "../stack/processes.ts";

export const schemasDir = resolve(repoRoot, "supabase/schemas");
export const migrationsDir = resolve(repoRoot, "supabase/migrations");

/** The schema files in the order they apply: by name, so `00_…` comes first. */
export async function schemaFiles(): Promise<string[]> {
  const names = (await readdir(schemasDir))
    .filter((name) => name.endsWith(".sql"))
    .sort();
  return names.map((name) => join(schemasDir, name));
}

/** Runs every schema file, in order, in one transaction: a broken file changes nothing. */
export async function applySchemaFiles(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("begin");
    for (const file of await schemaFiles()) {
      try {
        await client.query(await readFile(file, "utf8"));
      } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`);
      }
    }
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

export interface ScratchCluster {
  /** Creates an empty database with Supabase's roles and auth helpers; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** A database built from supabase/migrations with the Supabase CLI (`db push`). */
  fromMigrations(name?: string): Promise<string>;
  /** A database built from supabase/schemas. */
  fromSchemas(name?: string): Promise<string>;
}

/** Databases made on the PostgreSQL server whose superuser URL is `serverUrl`. */
export function clusterAt(serverUrl: string): ScratchCluster {
  const urlOf = (name: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  // Roles belong to the server, not to one database: two bootstraps at once would both
  // try to create them, so databases are made one after the other.
  let queue: Promise<unknown> = Promise.resolve();
  const create = async (name: string) => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${admin.escapeIdentifier(name)}`);
    } finally {
      await admin.end();
    }
    await bootstrapSupabaseRoles(urlOf(name), "schema-only");
    return urlOf(name);
  };
  const cluster: ScratchCluster = {
    createDatabase(name) {
      const created = queue.then(() => create(name));
      queue = created.catch(() => {});
      return created;
    },
    async fromMigrations(name = "from_migrations") {
      const url = await cluster.createDatabase(name);
      await pushMigrations(url);
      return url;
    },
    async fromSchemas(name = "from_schemas") {
      const url = await cluster.createDatabase(name);
      await applySchemaFiles(url);
      return url;
    },
  };
  return cluster;
}

/** Starts a throwaway PostgreSQL, runs `work`, then stops it and deletes its folder. */
export async function withScratchCluster<T>(
  work: (cluster: ScratchCluster) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "clerk-sync-schema-"));
  const database = await startEmbeddedPostgres(
    dir,
    await freePort(),
    join(dir, "postgres.log"),
  );
  try {
    return await work(clusterAt(database.url));
  } finally {
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
