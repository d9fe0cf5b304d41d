// One way to write a date everywhere: "17 May 1990", "May 2026", "17 May 2026, 14:03:09".
// Day before month in words, so no reader takes 05/06 for the wrong month.
const locale = "en-GB";
const calendarDateFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const dayFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric" });
const monthYearFormat = new Intl.DateTimeFormat(locale, { month: "long", year: "numeric" });
const timeFormat = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const shortTimeFormat = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** "Joined August 2026" style: a timestamp to month and year, in the viewer's time zone. */
export function formatMonthYear(timestamp: string): string {
  return monthYearFormat.format(new Date(timestamp));
}

/**
 * A calendar date ("1990-05-17", as Postgres sends a `date`) for people: "17 May 1990".
 * Read as UTC so no time zone moves it to the day before.
 */
export function formatCalendarDate(date: string): string {
  return calendarDateFormat.format(new Date(`${date}T00:00:00Z`));
}

/** Today in the viewer's calendar, as "YYYY-MM-DD" (what a date input speaks). */
export function todayIso(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "14:03:09" for today, "21 November 2026, 14:03:09" for another day, in the viewer's time zone. */
export function formatTimestamp(timestamp: string, now = new Date()): string {
  const date = new Date(timestamp);
  const time = timeFormat.format(date);
  return date.toDateString() === now.toDateString() ? time : `${dayFormat.format(date)}, ${time}`;
}

/** "14:03": a chart's time axis. */
export function formatClock(timestamp: string): string {
  return shortTimeFormat.format(new Date(timestamp));
}
