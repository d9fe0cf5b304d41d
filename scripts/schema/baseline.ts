/**
 * `npm run schema:baseline`: writes supabase/migrations/20261201000000_baseline.sql, the
 * schema files concatenated in order. It was run once, when the 15 development
 * migrations were squashed; the baseline is never edited or regenerated after that
 * (deployed databases have applied it). Every later change is a new migration made by
 * `npm run schema:diff -- <name>`.
 *
 * Refuses to overwrite an existing baseline unless --force is given, and to run when
 * any other migration exists (the baseline would then no longer be the whole history).
 */
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../lib/paths.ts";
import { migrationsDir, schemaFiles } from "./databases.ts";

export const baselineVersion = "20261201000000";
export const baselineFile = join(
  migrationsDir,
  `${baselineVersion}_baseline.sql`,
);

const usage = `Usage: npm run schema:baseline [-- --force] [-- --help]

Writes ${relative(repoRoot, baselineFile)} from supabase/schemas/*.sql, in order.
--force   overwrite an existing baseline (only before it has been deployed anywhere)`;

/** The baseline migration's text: a header, then every schema file under its name. */
export async function baselineSql(): Promise<string> {
  const parts = [
    "-- Baseline: the whole schema, generated from supabase/schemas by `npm run schema:baseline`.\n" +
      "-- Do not edit: change supabase/schemas and run `npm run schema:diff -- <name>` (docs/schema.md).\n",
  ];
  for (const file of await schemaFiles()) {
    parts.push(
      `-- ==== supabase/schemas/${basename(file)}\n\n${(await readFile(file, "utf8")).trimEnd()}\n`,
    );
  }
  return parts.join("\n");
}

async function main() {
  let force = false;
  try {
    const { values } = parseArgs({
      options: {
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    if (values.help) {
      console.log(usage);
      return;
    }
    force = values.force ?? false;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  const others = (await readdir(migrationsDir)).filter(
    (name) =>
      name.endsWith(".sql") && join(migrationsDir, name) !== baselineFile,
  );
  if (others.length > 0) {
    console.error(
      `supabase/migrations holds migrations after the baseline (${others.join(", ")}): the baseline stays as it is. Use npm run schema:diff -- <name>.`,
    );
    process.exit(1);
  }
  if (existsSync(baselineFile) && !force) {
    console.error(
      `${relative(repoRoot, baselineFile)} exists. It is never regenerated once deployed; pass --force only if it never was.`,
    );
    process.exit(1);
  }
  await writeFile(baselineFile, await baselineSql());
  console.log(
    `Wrote ${relative(repoRoot, baselineFile)}. Check it with npm run check:schema.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
