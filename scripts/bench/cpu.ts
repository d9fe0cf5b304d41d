/**
 * CPU time per process from /proc/<pid>/stat (utime + stime, in clock ticks), so a run
 * can say how many microseconds of CPU each part of the stack spent per event.
 */
import { readdirSync, readFileSync } from "node:fs";

/** A process to account for. `tree`: include its children (Postgres: every backend). */
export interface MeteredProcess {
  name: string;
  pid: number;
  tree?: boolean;
}

export type CpuSnapshot = Map<string, number>;

/** Clock ticks per second: 100 on Linux (`getconf CLK_TCK`), which Node cannot ask for. */
const ticksPerSecond = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime of the process itself. */
  own: number;
  /** cutime + cstime: children it has already waited for (backends that exited). */
  reaped: number;
}

function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and brackets: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const n = (field: number) => Number(fields[field - 3]);
  return { ppid: n(4), own: n(14) + n(15), reaped: n(16) + n(17) };
}

/** Every live process's stat, by pid: one pass over /proc serves a whole snapshot. */
function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  return stats;
}

/**
 * Total CPU ticks of each process so far. A tree counts the process, the children it has
 * reaped, and its live children with their own reaped ones: a backend that exits
 * between two snapshots moves from "live child" to "reaped" without being lost.
 */
export function cpuSnapshot(processes: MeteredProcess[]): CpuSnapshot {
  const stats = allStats();
  const snapshot: CpuSnapshot = new Map();
  for (const { name, pid, tree } of processes) {
    const self = stats.get(pid);
    let ticks = self ? self.own + (tree ? self.reaped : 0) : 0;
    if (tree) {
      for (const stat of stats.values()) if (stat.ppid === pid) ticks += stat.own + stat.reaped;
    }
    snapshot.set(name, ticks);
  }
  return snapshot;
}

/** µs of CPU per event of each process between two snapshots. */
export function cpuPerEvent(before: CpuSnapshot, after: CpuSnapshot, events: number): Record<string, number> {
  const perEvent: Record<string, number> = {};
  for (const [name, ticks] of after) {
    const micros = ((ticks - (before.get(name) ?? 0)) * 1e6) / ticksPerSecond;
    perEvent[name] = events > 0 ? Math.round(micros / events) : 0;
  }
  return perEvent;
}
