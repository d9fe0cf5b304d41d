/**
 * PostgreSQL text cannot hold NUL, and jsonb rejects unpaired UTF-16 surrogates.
 * Both can arrive in a signed payload (a name typed with a broken keyboard driver, a
 * truncated emoji). They become U+FFFD, so the event is stored instead of failing.
 */
export function storableText(value: string): string {
  return value.toWellFormed().replaceAll("\u0000", "\uFFFD");
}

/** storableText applied to every string (and key) inside a JSON value. */
export function storableJson(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [storableText(key), storableJson(item)]),
    );
  }
  return value;
}
