import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { bin, repoRoot } from "../lib/paths.ts";
import { type Service, startService } from "./processes.ts";

export interface EdgeFunction {
  name: string;
  entrypoint: string;
  importMap: string | null;
  verifyJwt: boolean;
}

/**
 * The Edge Functions in supabase/functions (folders not starting with `_`), with the
 * verify_jwt setting of their `[functions.<name>]` section in supabase/config.toml
 * (true when unset, as in Supabase).
 */
export function discoverFunctions(): EdgeFunction[] {
  const root = resolve(repoRoot, "supabase/functions");
  const settings = functionSettings(readFileSync(resolve(repoRoot, "supabase/config.toml"), "utf8"));
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !/^[_.]/.test(entry.name) && existsSync(resolve(root, entry.name, "index.ts")))
    .map((entry) => {
      const importMap = resolve(root, entry.name, "deno.json");
      return {
        name: entry.name,
        entrypoint: resolve(root, entry.name, "index.ts"),
        importMap: existsSync(importMap) ? importMap : null,
        verifyJwt: settings.get(entry.name)?.verify_jwt !== "false",
      };
    });
}

/** Reads `key = value` lines of each `[functions.<name>]` section: enough TOML for this file. */
export function functionSettings(toml: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | null = null;
  for (const line of toml.split("\n")) {
    const section = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(line);
    if (section) {
      const fn = /^functions\.(.+)$/.exec(section[1].trim());
      current = fn ? {} : null;
      if (fn) sections.set(fn[1].replace(/^"|"$/g, ""), current!);
      continue;
    }
    const pair = /^\s*([\w-]+)\s*=\s*("([^"]*)"|[^#\s]+)/.exec(line);
    if (pair && current) current[pair[1]] = pair[3] ?? pair[2];
  }
  return sections;
}

/**
 * Runs one function under Deno with the environment `supabase functions serve` gives
 * it. Deno.serve() in the function listens where DENO_SERVE_ADDRESS says.
 */
export function startFunction(fn: EdgeFunction, port: number, env: Record<string, string>, logFile: string): Service {
  const args = ["run", "--allow-net", "--allow-env", "--allow-read", "--no-prompt"];
  if (fn.importMap) args.push("--config", fn.importMap);
  args.push(fn.entrypoint);
  return startService(`function ${fn.name}`, bin("deno"), args, {
    cwd: repoRoot,
    logFile,
    env: {
      ...inherited("PATH", "HOME", "DENO_DIR", "TMPDIR"),
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      ...env,
      DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}`,
    },
  });
}

function inherited(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
}

/** KEY=VALUE lines of supabase/functions/.env, as `supabase functions serve` reads them. */
export function readFunctionsEnvFile(): Record<string, string> {
  const file = resolve(repoRoot, "supabase/functions/.env");
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const pair = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (pair) env[pair[1]] = pair[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return env;
}
