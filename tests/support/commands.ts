import { type ChildProcess, spawn } from "node:child_process";
import { repoRoot } from "../../scripts/lib/paths.ts";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type RunningCommand = ChildProcess & {
  output: () => CommandResult;
  done: Promise<CommandResult>;
  /** Ctrl-C, as a user stops it: SIGINT to the whole process group (npm does not pass signals on). */
  interrupt: () => Promise<CommandResult>;
};

/** A command as a user types it: `npm run <script> -- <args>`, in the repository, in its own process group. */
export function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningCommand {
  const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const output = () => ({ code: child.exitCode, stdout, stderr });
  const done = new Promise<CommandResult>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  const interrupt = async () => {
    try {
      process.kill(-child.pid!, "SIGINT");
    } catch {
      // Already gone.
    }
    return await done;
  };
  return Object.assign(child, { output, done, interrupt });
}

/** Runs `npm run <script> -- <args>` to its end, killed after `timeoutMs`. */
export async function runNpm(script: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<CommandResult> {
  const child = npmRun(script, args, env);
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
  const result = await child.done;
  clearTimeout(timer);
  return result;
}

/** Resolves once `child`'s stdout contains `text`; fails with its output if it exits first or the time runs out. */
export function waitForOutput(child: RunningCommand, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" after ${timeoutMs / 1000} s:\n${JSON.stringify(child.output())}`)), timeoutMs);
    const check = () => {
      if (child.output().stdout.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.once("close", () => {
      clearTimeout(timer);
      if (!child.output().stdout.includes(text)) reject(new Error(`exited before "${text}":\n${JSON.stringify(child.output())}`));
    });
  });
}
