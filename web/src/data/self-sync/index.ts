export * from "./fetchers.ts";
export * from "./hooks.ts";
export type * from "./types.ts";
