/** Every property name inside a JSON value, at any depth: what a privacy check must walk. */
export function keysAtEveryDepth(value: unknown): Set<string> {
  const keys = new Set<string>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== "object") continue;
    if (Array.isArray(item)) {
      stack.push(...item);
      continue;
    }
    for (const [key, child] of Object.entries(item)) {
      keys.add(key);
      stack.push(child);
    }
  }
  return keys;
}
