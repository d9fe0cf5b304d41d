import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * `npm run soak` sets RELIABILITY_SOAK=1: the same suites, longer. CI runs the bounded
 * version (fixed seed, small counts).
 */
export const soak = process.env.RELIABILITY_SOAK === "1";

/**
 * Writes one suite's figures to `$RELIABILITY_FIGURES_DIR/<name>.json` when that is set
 * (`npm run soak` sets it to docs/reliability/), for docs/reliability.md to quote.
 */
export async function writeFigures(name: string, figures: Record<string, unknown>): Promise<void> {
  const dir = process.env.RELIABILITY_FIGURES_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  const record = { suite: name, mode: soak ? "soak" : "bounded", node: process.version, ...figures };
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
}
