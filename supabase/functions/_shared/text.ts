import { InvalidEventError } from "./errors.ts";

/**
 * PostgreSQL text cannot hold NUL, and jsonb rejects unpaired UTF-16 surrogates.
 * Both can arrive in a signed payload (a name typed with a broken keyboard driver, a
 * truncated emoji). They become U+FFFD, so the event is stored instead of failing.
 */
export function storableText(value: string): string {
  return value.toWellFormed().replaceAll("\u0000", "\uFFFD");
}

/**
 * How deep stored JSON may nest. Clerk's own objects nest about six levels; JSON.parse
 * reads any depth, but JSON.stringify (on the way to PostgREST) and recursion overflow
 * the stack at a few thousand, which would fail the same way on every retry.
 */
export const maxJsonDepth = 64;

const noKeys: ReadonlySet<string> = new Set();

/**
 * storableText applied to every string (and key) inside a JSON value. Properties named
 * in `omit` are left out wherever they appear, at any depth, before their values are
 * read (so an omitted value never counts against the depth limit).
 */
export function storableJson(value: unknown, omit: ReadonlySet<string> = noKeys, depth = 0): unknown {
  if (typeof value === "string") return storableText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= maxJsonDepth) throw new InvalidEventError(`JSON nests deeper than ${maxJsonDepth} levels`);
  if (Array.isArray(value)) return value.map((item) => storableJson(item, omit, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !omit.has(key))
      .map(([key, item]) => [storableText(key), storableJson(item, omit, depth + 1)]),
  );
}
