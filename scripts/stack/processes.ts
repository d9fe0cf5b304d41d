import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import http from "node:http";
import { connect, createServer } from "node:net";

export interface ServiceExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process of the stack, with its output in a log file. */
export interface Service {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process exits, however it exits. */
  exited: Promise<ServiceExit>;
  /** The last lines it printed, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Children still running. If this process exits, however it exits, they are killed too. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function startService(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string },
): Service {
  // The child writes straight into its log file: no line passes through this process,
  // which under load spent more CPU relaying function logs than the gateway did routing.
  const startOffset = existsSync(options.logFile) ? statSync(options.logFile).size : 0;
  const log = openSync(options.logFile, "a", 0o600);
  // The mode applies only to a new file: a log from an older run may still be 0644.
  chmodSync(options.logFile, 0o600);
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", log, log],
    });
  } finally {
    closeSync(log);
  }
  running.add(child);
  child.once("exit", () => running.delete(child));
  const spawnErrors: string[] = [];
  const exited = new Promise<ServiceExit>((resolve) => {
    child.on("exit", (code, signal) => resolve({ name, code, signal }));
    child.on("error", (error) => {
      spawnErrors.push(String(error));
      resolve({ name, code: null, signal: null });
    });
  });

  return {
    name,
    child,
    logFile: options.logFile,
    exited,
    tail: () => [...lastLogLines(options.logFile, startOffset), ...spawnErrors].join("\n"),
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The last 20 lines this run wrote to `file` (from `offset`, where it started), for error messages. */
function lastLogLines(file: string, offset: number): string[] {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return [];
  }
  try {
    const end = fstatSync(fd).size;
    const start = Math.max(offset, end - 8192);
    const buffer = Buffer.alloc(Math.max(0, end - start));
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString("utf8").split("\n").filter(Boolean).slice(-20);
  } finally {
    closeSync(fd);
  }
}

/**
 * Polls `check` until it answers true. Fails early, naming the service and showing its
 * last lines, if the service exits first.
 */
export async function waitUntilReady(
  service: Pick<Service, "name" | "exited" | "tail" | "logFile"> | null,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  let exited: ServiceExit | null = null;
  service?.exited.then((exit) => (exited = exit));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${describeExit(exited)} before it was ready.\n${lastLines(service!)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${what} was not ready after ${timeoutMs / 1000} s.${service ? `\n${lastLines(service)}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function describeExit(exit: ServiceExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return `${exit.name} ${how}`;
}

export function lastLines(service: Pick<Service, "tail" | "logFile">): string {
  const tail = service.tail().trim();
  return tail ? `Last lines of ${service.logFile}:\n${tail}` : `Its log is ${service.logFile}.`;
}

/** Resolves true when nothing listens on 127.0.0.1:`port`. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on right now, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when something accepts connections on 127.0.0.1:`target`, or on the unix socket at that path. */
export function canConnect(target: number | string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = typeof target === "number" ? connect(target, "127.0.0.1") : connect(target);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves true when an HTTP GET of `path` on the unix socket `socketPath` answers 2xx. */
export function answersOk(socketPath: string, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path, headers: { host: "localhost" } }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 500) < 300);
    });
    request.once("error", () => resolve(false));
    request.setTimeout(2000, () => request.destroy());
  });
}

/** What a fault test can do to a part of the stack; it comes back on the same port and data. */
export interface StackPart {
  /** Asks it to stop (SIGTERM), as a deploy or a restart would. */
  stop(): Promise<void>;
  /** Kills it without warning, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again and waits until it answers. */
  start(): Promise<void>;
}

/** A service that can be stopped and started again. `exited` resolves only on a crash. */
export interface RestartableService extends StackPart {
  name: string;
  exited: Promise<ServiceExit>;
  /** The current process's id. */
  readonly pid: number | undefined;
}

/**
 * Launches a service and waits until `ready`; stop, kill and start then act on the
 * current process, and a start launches the same command again (same port, same log).
 */
export async function startRestartable(
  name: string,
  launch: () => Service,
  ready: (service: Service) => Promise<void>,
): Promise<RestartableService> {
  let reportCrash: (exit: ServiceExit) => void = () => {};
  const exited = new Promise<ServiceExit>((done) => (reportCrash = done));
  let current: Service | null = null;
  let asked = false;
  const start = async () => {
    asked = false;
    const service = launch();
    current = service;
    service.exited.then((exit) => {
      if (!asked && current === service) reportCrash(exit);
    });
    try {
      await ready(service);
    } catch (error) {
      asked = true;
      await service.stop();
      throw error;
    }
  };
  await start();
  return {
    name,
    exited,
    get pid() {
      return current?.child.pid;
    },
    start,
    async stop() {
      asked = true;
      await current?.stop();
    },
    async kill() {
      asked = true;
      const service = current;
      if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
      service.child.kill("SIGKILL");
      await service.exited;
    },
  };
}
