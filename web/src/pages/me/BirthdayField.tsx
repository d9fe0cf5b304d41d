import { type Ref, useState } from "react";

const monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

interface BirthdayFieldProps {
  id: string;
  /** "YYYY-MM-DD", "" for none; anything else is a date being typed. */
  value: string;
  onChange: (value: string) => void;
  invalid: boolean;
  describedBy: string | undefined;
  /** The day's input: where the form puts the focus when the birthday is wrong. */
  dayRef: Ref<HTMLInputElement>;
}

/**
 * A birthday as day, month (in words) and year, the order the dashboard writes dates
 * in. Not <input type="date">: its picker shows the browser's own format (07/14/1985
 * in an American browser), and a birthday is typed, not picked from a calendar.
 */
export function BirthdayField({ id, value, onChange, invalid, describedBy, dayRef }: BirthdayFieldProps) {
  // What is typed, part by part, so "0" stays "0" while the day is typed.
  const [parts, setParts] = useState(() => partsOf(value));
  const change = (part: keyof typeof parts, text: string) => {
    const next = { ...parts, [part]: text.trim() };
    setParts(next);
    onChange(isoFrom(next));
  };
  const common = { "aria-invalid": invalid ? true : undefined, "aria-describedby": describedBy };
  return (
    <fieldset className="birthday" aria-describedby={describedBy}>
      <legend>Birthday</legend>
      <div className="birthday__parts">
        <div className="birthday__part birthday__part--day">
          <label htmlFor={`${id}-day`}>Day</label>
          <input id={`${id}-day`} ref={dayRef} inputMode="numeric" autoComplete="bday-day" maxLength={2} value={parts.day} onChange={(event) => change("day", event.target.value)} {...common} />
        </div>
        <div className="birthday__part birthday__part--month">
          <label htmlFor={`${id}-month`}>Month</label>
          <select id={`${id}-month`} autoComplete="bday-month" value={parts.month} onChange={(event) => change("month", event.target.value)} {...common}>
            <option value="">—</option>
            {monthNames.map((name, index) => (
              <option key={name} value={String(index + 1).padStart(2, "0")}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="birthday__part birthday__part--year">
          <label htmlFor={`${id}-year`}>Year</label>
          <input id={`${id}-year`} inputMode="numeric" autoComplete="bday-year" maxLength={4} value={parts.year} onChange={(event) => change("year", event.target.value)} {...common} />
        </div>
      </div>
    </fieldset>
  );
}

function partsOf(value: string): { day: string; month: string; year: string } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? { year: match[1]!, month: match[2]!, day: String(Number(match[3])) } : { day: "", month: "", year: "" };
}

/** "" when nothing is typed; "YYYY-MM-DD" from whatever is, for validation to judge. */
function isoFrom({ day, month, year }: { day: string; month: string; year: string }): string {
  if (!day && !month && !year) return "";
  return `${year}-${month}-${/^\d$/.test(day) ? `0${day}` : day}`;
}
