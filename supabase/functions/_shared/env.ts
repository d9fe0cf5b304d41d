/**
 * Reading a function's settings: each function's config.ts lists its variables once
 * and reads them at start with these, so a missing or malformed one stops the function
 * with a message naming it, instead of failing on the first request.
 */

/** A required setting is missing or malformed. The function refuses to start. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads one environment variable: `Deno.env.get` in a function, a record in tests. */
export type Env = (name: string) => string | undefined;

/** The trimmed value of `name`; throws ConfigError naming it (and what it is, if `hint`) when it is missing or blank. */
export function required(env: Env, name: string, hint?: string): string {
  const value = env(name)?.trim();
  if (!value) throw new ConfigError(`${name} is not set${hint ? `: ${hint}` : ""}.`);
  return value;
}

/** A positive whole number from `name`, or `fallback` when unset; throws ConfigError otherwise. */
export function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env(name)?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}".`);
  }
  return value;
}

/** One of `choices`, or `fallback` when unset; throws ConfigError otherwise. */
export function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env(name)?.trim();
  if (!raw) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${choices.join(", ")}, got "${raw}".`);
  }
  return raw as T;
}
