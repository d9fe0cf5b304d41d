/**
 * `replay`: reads the events of a file to send again. A file is a JSON array, one JSON
 * event, or JSONL (one per line); each item is a Clerk event, or
 * `{ "svix_id": "msg_…", "event": { … } }` to keep its message id. Every item is read on
 * its own, so one bad line is reported by its number and the rest are still sent.
 */

export type ReplayItem =
  | { where: string; svixId?: string; event: { type: string }; error?: undefined }
  | { where: string; error: string };

export function parseEventFile(text: string): ReplayItem[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let items: unknown;
    try {
      items = JSON.parse(trimmed);
    } catch (error) {
      return [{ where: "the file", error: `not JSON: ${(error as Error).message}` }];
    }
    if (!Array.isArray(items)) return [{ where: "the file", error: "not a JSON array" }];
    return items.map((item, i) => readItem(item, `item ${i + 1}`));
  }
  // One event, pretty-printed over several lines.
  try {
    const single = JSON.parse(trimmed);
    if (single && typeof single === "object" && !Array.isArray(single)) return [readItem(single, "the file")];
  } catch {
    // JSONL: read line by line below.
  }
  const items: ReplayItem[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `line ${i + 1}`;
    try {
      items.push(readItem(JSON.parse(line), where));
    } catch (error) {
      items.push({ where, error: `not JSON: ${(error as Error).message}` });
    }
  });
  return items;
}

function readItem(item: unknown, where: string): ReplayItem {
  if (!isObject(item)) return { where, error: "not a Clerk event: expected an object" };
  const wrapped = item.event !== undefined;
  const event = wrapped ? item.event : item;
  if (wrapped && item.svix_id !== undefined && typeof item.svix_id !== "string") {
    return { where, error: 'its "svix_id" must be a string (msg_…)' };
  }
  if (!isObject(event)) return { where, error: 'not a Clerk event: "event" must be an object' };
  if (typeof event.type !== "string" || event.type === "") {
    return { where, error: 'not a Clerk event: it has no "type" (e.g. "user.created")' };
  }
  return { where, svixId: wrapped ? (item.svix_id as string | undefined) : undefined, event: event as { type: string } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
