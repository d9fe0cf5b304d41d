import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { bin, repoRoot } from "../lib/paths.ts";
import { describeExit, lastLines, type Service, startService } from "./processes.ts";

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
        verifyJwt: settings.get(entry.name)?.verify_jwt !== false,
      };
    });
}

/** A function's section of supabase/config.toml, `[functions.<name>]`: the keys this stack reads. */
export interface FunctionSettings {
  verify_jwt?: boolean;
  import_map?: string;
  entrypoint?: string;
}

/** Each `[functions.<name>]` section of supabase/config.toml, read with a real TOML parser. */
export function functionSettings(toml: string): Map<string, FunctionSettings> {
  const config = parseToml(toml) as { functions?: Record<string, FunctionSettings> };
  return new Map(Object.entries(config.functions ?? {}));
}

/**
 * Runs one function under Deno with the environment `supabase functions serve` gives
 * it. Deno.serve() in the function listens where DENO_SERVE_ADDRESS says: on the unix
 * socket at `listen` (the stack's own functions: only the gateway is on TCP), or on a
 * loopback TCP port (a test's or a benchmark's extra process).
 */
export function startFunction(fn: EdgeFunction, listen: string | number, env: Record<string, string>, logFile: string): Service {
  const args = ["run", "--allow-net", "--allow-env", "--allow-read", "--no-prompt"];
  // Deno needs write access to create its socket file, and to nothing else.
  if (typeof listen === "string") {
    rmSync(listen, { force: true });
    args.push(`--allow-write=${listen}`);
  }
  if (fn.importMap) args.push("--config", fn.importMap);
  args.push(fn.entrypoint);
  return startService(`function ${fn.name}`, bin("deno"), args, {
    cwd: repoRoot,
    logFile,
    env: {
      ...denoNetworkEnv(),
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      ...env,
      DENO_SERVE_ADDRESS: typeof listen === "string" ? `unix:${listen}` : `tcp:127.0.0.1:${listen}`,
    },
  });
}

/**
 * What a function inherits from the user's environment: where Deno keeps its cache, and
 * how this machine reaches the network (proxies and certificate authorities, e.g.
 * behind a TLS-intercepting proxy), so a function that calls an outside API works
 * here as it would anywhere. Nothing else: no secrets of the shell leak into it.
 */
export function denoNetworkEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = [
    "PATH", "HOME", "TMPDIR", "DENO_DIR",
    "DENO_CERT", "DENO_TLS_CA_STORE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS",
    "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "all_proxy", "no_proxy",
    "NPM_CONFIG_REGISTRY",
  ];
  const env = Object.fromEntries(names.flatMap((name) => (source[name] ? [[name, source[name]!]] : [])));
  // Under `npm run`, npm's own settings arrive in lowercase; Deno reads the uppercase names.
  if (!env.NPM_CONFIG_REGISTRY && source.npm_config_registry) env.NPM_CONFIG_REGISTRY = source.npm_config_registry;
  if (!env.DENO_CERT && source.npm_config_cafile) env.DENO_CERT = source.npm_config_cafile;
  return env;
}

/**
 * Fetches every function's dependencies into Deno's cache before any function starts,
 * with the user's whole environment (as `deno check` in `npm test` does), so a fresh
 * machine or an empty DENO_DIR works on the first `npm run dev`. Fast when cached.
 */
export async function cacheFunctionDependencies(functions: EdgeFunction[], logFile: string): Promise<void> {
  for (const fn of functions) {
    const args = ["install", "--entrypoint"];
    if (fn.importMap) args.push("--config", fn.importMap);
    args.push(fn.entrypoint);
    const service = startService(`deno install (${fn.name})`, bin("deno"), args, {
      cwd: repoRoot,
      logFile,
      env: { ...process.env, ...denoNetworkEnv(), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    const exit = await service.exited;
    if (exit.code !== 0) {
      throw new Error(
        `${describeExit(exit)}: the dependencies of function ${fn.name} could not be fetched. ` +
          `Check the network, the proxy (HTTPS_PROXY) and certificate (DENO_CERT, NODE_EXTRA_CA_CERTS) settings.\n${lastLines(service)}`,
      );
    }
  }
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
