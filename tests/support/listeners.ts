/**
 * Who listens where, read from Linux's /proc: which processes hold the stack's unix
 * sockets, and which TCP ports any process listens on. For tests that prove a part of
 * the stack cannot be reached around the gateway.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/** Socket inodes of a process's open file descriptors. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return inodes;
}

function allPids(): number[] {
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
}

/** The processes listening on the unix sockets in `dir`, with their socket's file name. */
export function unixSocketOwners(dir: string): Array<{ pid: number; socket: string; command: string }> {
  const byInode = new Map<string, string>();
  for (const line of readFileSync("/proc/net/unix", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const path = fields[7];
    if (path?.startsWith(dir + "/")) byInode.set(fields[6], path);
  }
  const owners = new Map<string, { pid: number; socket: string; command: string }>();
  for (const pid of allPids()) {
    for (const inode of socketInodes(pid)) {
      const path = byInode.get(inode);
      if (path && !owners.has(`${pid} ${path}`)) owners.set(`${pid} ${path}`, { pid, socket: path.slice(dir.length + 1), command: command(pid) });
    }
  }
  return [...owners.values()];
}

/** The TCP ports `pid` listens on (IPv4 and IPv6). */
export function tcpListenPorts(pid: number): number[] {
  const inodes = socketInodes(pid);
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // st 0A is LISTEN; local_address is HEXIP:HEXPORT.
      if (fields[3] === "0A" && inodes.has(fields[9])) ports.add(parseInt(fields[1].split(":").pop()!, 16));
    }
  }
  return [...ports];
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const child of allPids()) {
    try {
      const stat = readFileSync(`/proc/${child}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), child]);
    } catch {
      // Gone already.
    }
  }
  const tree: number[] = [];
  const visit = (p: number) => {
    tree.push(p);
    for (const child of children.get(p) ?? []) visit(child);
  };
  visit(pid);
  return tree;
}

function command(pid: number): string {
  try {
    return readFileSync(join("/proc", String(pid), "cmdline"), "utf8").split("\0")[0];
  } catch {
    return "";
  }
}
