export * from "./fetchers.ts";
export * from "./hooks.ts";
export * from "./keys.ts";
export * from "./queries.ts";
export * from "./types.ts";
