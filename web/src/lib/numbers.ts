const countFormat = new Intl.NumberFormat("en");

/** 12,345 */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

/** "45 s", "12 min", "2 h 5 min", "3 d 4 h": how long, to the unit a person needs. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** A lag for people: "0.42 s", "3.1 s", "2 min"; a negative lag (clock skew) keeps its sign. */
export function formatLag(seconds: number): string {
  const sign = seconds < 0 ? "−" : "";
  const abs = Math.abs(seconds);
  if (abs < 10) return `${sign}${abs.toFixed(abs < 1 ? 2 : 1)} s`;
  return `${sign}${formatDuration(abs)}`;
}

/** "812 kB", "4.2 MB" (powers of 1000, as disks and dashboards count). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
