/**
 * A stack part's output goes straight from the child into its log file (no pipe through
 * the stack's Node process), and a part that dies is still reported by name, with the
 * last lines of its log.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeExit, startService, waitUntilReady } from "../../scripts/stack/processes.ts";

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

const node = (script: string, logFile: string) => startService("function demo", process.execPath, ["-e", script], { logFile });

describe("startService", () => {
  it("gives the child its log file as stdout and stderr: nothing is piped through this process", async () => {
    dir = await mkdtemp(join(tmpdir(), "processes-"));
    const logFile = join(dir, "demo.log");
    await writeFile(logFile, "a line from an earlier run\n");
    const service = node("console.log('out 1'); console.error('err 1'); console.log('out 2')", logFile);
    expect(service.child.stdout).toBeNull();
    expect(service.child.stderr).toBeNull();
    expect(await service.exited).toEqual({ name: "function demo", code: 0, signal: null });
    // Appended, so `tail -f` of the file keeps following it across restarts.
    expect(await readFile(logFile, "utf8")).toBe("a line from an earlier run\nout 1\nerr 1\nout 2\n");
    expect(service.tail(), "the tail is this run's lines only").toBe("out 1\nerr 1\nout 2");
  });

  it("reports a part that dies by name, with the last lines of its log", async () => {
    dir = await mkdtemp(join(tmpdir(), "processes-"));
    const service = node("console.error('CLERK_WEBHOOK_DB_URL is not set.'); process.exit(3)", join(dir, "demo.log"));
    const ready = waitUntilReady(service, "function demo", async () => false);
    await expect(ready).rejects.toThrow(/^function demo exited with code 3 before it was ready\.\nLast lines of .*demo\.log:\nCLERK_WEBHOOK_DB_URL is not set\.$/);
    expect(describeExit(await service.exited)).toBe("function demo exited with code 3");
  });

  it("keeps only the last 20 lines in its tail", async () => {
    dir = await mkdtemp(join(tmpdir(), "processes-"));
    const service = node("for (let i = 1; i <= 30; i++) console.log('line ' + i)", join(dir, "demo.log"));
    await service.exited;
    expect(service.tail().split("\n")).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11}`));
  });
});
