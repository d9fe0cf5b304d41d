import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { inject } from "vitest";
import { bin, repoRoot } from "../../../scripts/lib/paths.ts";

export interface DashboardBuild {
  dir: string;
  /** Every emitted file's text (html, js, css), for looking into the bundle. */
  files(): Promise<Array<{ name: string; text: string }>>;
  remove(): Promise<void>;
}

/** Why `vite build` refused, with everything it printed. */
export class DashboardBuildError extends Error {
  override name = "DashboardBuildError";
  constructor(
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`vite build exited with ${exitCode}:\n${output}`);
  }
}

/**
 * `vite build` of web/ into a temporary folder with exactly these VITE_* variables
 * (none inherited from the caller's environment). A build for the local stack, without
 * a Clerk key, needs VITE_LOCAL_SIGN_IN: "1".
 */
export async function buildDashboard(env: Record<string, string>): Promise<DashboardBuild> {
  const dir = await mkdtemp(join(tmpdir(), "dashboard-build-"));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITE_")));
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(bin("vite"), ["build", "--config", "web/vite.config.ts", "--outDir", dir, "--emptyOutDir", "--logLevel", "warn"], {
      cwd: repoRoot,
      env: { ...inherited, ...env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk) => output.push(String(chunk)));
    child.stderr.on("data", (chunk) => output.push(String(chunk)));
    child.on("error", fail);
    child.on("exit", done);
  });
  if (code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new DashboardBuildError(code, output.join(""));
  }
  return {
    dir,
    async files() {
      const names = (await readdir(dir, { recursive: true })).map(String);
      const texts = [];
      for (const name of names) {
        if ((await stat(join(dir, name))).isFile()) texts.push({ name, text: await readFile(join(dir, name), "utf8") });
      }
      return texts;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".ico": "image/x-icon",
};

export interface ServedDashboard {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a built dashboard, answering unknown paths with index.html (client-side
 * routes), on the first free one of the run's dashboard ports: the stack's /dev/token
 * answers only those origins.
 */
export async function serveDashboard(dir: string, ports = inject("dashboardPorts")): Promise<ServedDashboard> {
  const root = resolve(dir);
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://dashboard").pathname);
    const file = normalize(join(root, path));
    const isAsset = file.startsWith(root + "/") && (await stat(file).then((s) => s.isFile(), () => false));
    const served = isAsset ? file : join(root, "index.html");
    res.writeHead(200, {
      "content-type": contentTypes[extname(served)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    createReadStream(served).pipe(res);
  });
  for (const port of ports) {
    const listening = await new Promise<boolean>((done) => {
      server.once("error", () => done(false));
      server.listen(port, "127.0.0.1", () => done(true));
    });
    if (listening) break;
  }
  if (!server.listening) throw new Error(`None of the dashboard ports ${ports.join(", ")} is free.`);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
