/** `replay`: the events of a JSON or JSONL file, each a Clerk event or `{ "svix_id", "event" }`. */

export function parseEventFile(text: string): Array<{ svixId?: string; event: unknown }> {
  const trimmed = text.trim();
  const items: unknown[] = trimmed.startsWith("[")
    ? JSON.parse(trimmed)
    : trimmed.startsWith("{") && !trimmed.includes("\n{")
    ? [JSON.parse(trimmed)]
    : trimmed.split("\n").filter(Boolean).map((line) => JSON.parse(line));
  return items.map((item) => {
    const record = item as { svix_id?: string; event?: unknown };
    return record.event !== undefined ? { svixId: record.svix_id, event: record.event } : { event: item };
  });
}
