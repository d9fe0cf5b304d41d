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
