const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const monthYearFormat = new Intl.DateTimeFormat("en", { month: "long", year: "numeric" });

/** "Joined August 2026" style: a timestamp to month and year, in the viewer's time zone. */
export function formatMonthYear(timestamp: string): string {
  return monthYearFormat.format(new Date(timestamp));
}

/**
 * A calendar date ("1990-05-17", as Postgres sends a `date`) for people: "May 17, 1990".
 * Read as UTC so no time zone moves it to the day before.
 */
export function formatCalendarDate(date: string): string {
  return dateFormat.format(new Date(`${date}T00:00:00Z`));
}

/** Today in the viewer's calendar, as "YYYY-MM-DD" (what a date input speaks). */
export function todayIso(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const timeFormat = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const shortTimeFormat = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dateTimeFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", hourCycle: "h23" });

/** "14:03:09" for today, "Nov 21, 2026, 14:03:09" for another day, in the viewer's time zone. */
export function formatTimestamp(timestamp: string, now = new Date()): string {
  const date = new Date(timestamp);
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

/** "14:03": a chart's time axis. */
export function formatClock(timestamp: string): string {
  return shortTimeFormat.format(new Date(timestamp));
}
