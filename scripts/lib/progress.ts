/**
 * A progress line for long work: a bar on a terminal, a line every 10 % elsewhere
 * (CI logs), always with counts and rate.
 */
export interface Progress {
  tick(by?: number, note?: string): void;
  done(summary?: string): void;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  let count = 0;
  let lastDecile = -1;
  let lastDraw = 0;
  const line = (note = "") => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = (count / seconds).toFixed(1);
    const pct = total > 0 ? Math.floor((count / total) * 100) : 100;
    const width = 24;
    const filled = total > 0 ? Math.round((count / total) * width) : width;
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    return `${label} ${bar} ${count}/${total} ${String(pct).padStart(3)}% ${rate}/s${note ? ` ${note}` : ""}`;
  };
  return {
    tick(by = 1, note) {
      count += by;
      if (stream.isTTY) {
        if (Date.now() - lastDraw > 80 || count === total) {
          stream.write(`\r${line(note)}\x1b[K`);
          lastDraw = Date.now();
        }
      } else {
        const decile = total > 0 ? Math.floor((count / total) * 10) : 10;
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`${line(note)}\n`);
        }
      }
    },
    done(summary) {
      if (stream.isTTY) stream.write(`\r${line()}\x1b[K\n`);
      if (summary) stream.write(`${summary}\n`);
    },
  };
}
