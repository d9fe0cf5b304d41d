import type { MyProfile, ProfilePatch } from "../../data/my-profile/index.ts";

// The same limits as the checks on public.profiles (supabase/schemas/20_profiles.sql).
export const bioMaxLength = 500;
export const earliestBirthday = "1900-01-01";

/** The form as the inputs hold it: strings, "" for nothing. */
export interface ProfileFormValues {
  bio: string;
  birthday: string;
  birthdayPublic: boolean;
  country: string;
}

export type ProfileField = "bio" | "birthday" | "country";
export type ProfileFormErrors = Partial<Record<ProfileField, string>>;

export function formValuesFrom(profile: MyProfile): ProfileFormValues {
  return {
    bio: profile.bio ?? "",
    birthday: profile.birthday ?? "",
    birthdayPublic: profile.birthday_public,
    country: profile.country ?? "",
  };
}

/** Postgres counts characters (code points); a JS string's length counts UTF-16 units. */
export function characterCount(text: string): number {
  return [...text].length;
}

/**
 * Field errors for what the database would refuse: a bio over 500 characters, a
 * birthday before 1900-01-01 or after today, a country not in the list.
 */
export function validateProfileForm(
  values: ProfileFormValues,
  { today, countryCodes }: { today: string; countryCodes: ReadonlySet<string> | null },
): ProfileFormErrors {
  const errors: ProfileFormErrors = {};
  const bioLength = characterCount(values.bio.trim());
  if (bioLength > bioMaxLength) {
    errors.bio = `Keep your bio to ${bioMaxLength} characters or fewer (it has ${bioLength}).`;
  }
  if (values.birthday) {
    if (!isCalendarDate(values.birthday)) errors.birthday = "Enter a real date, like 1990-05-17.";
    else if (values.birthday < earliestBirthday) errors.birthday = "Birthdays start on 1 January 1900.";
    else if (values.birthday > today) errors.birthday = "Your birthday can’t be in the future.";
  }
  if (values.country && countryCodes && !countryCodes.has(values.country)) {
    errors.country = "Choose a country from the list.";
  }
  return errors;
}

/** What to send: the user's own columns, with blanks as nulls. */
export function patchFrom(values: ProfileFormValues): ProfilePatch {
  const bio = values.bio.trim();
  return {
    bio: bio || null,
    birthday: values.birthday || null,
    birthday_public: values.birthdayPublic,
    country: values.country || null,
  };
}

/**
 * The field a database refusal is about, from the constraint it names, so a rule the
 * form missed (say, a clock a day ahead of the server's) still lands on its field.
 */
export function fieldOfDatabaseError(error: unknown): ProfileField | null {
  const { message = "", details = "" } = (typeof error === "object" && error !== null ? error : {}) as { message?: string; details?: string };
  const text = `${message} ${details}`;
  if (/profiles_bio_check/.test(text)) return "bio";
  if (/profiles_birthday_check/.test(text)) return "birthday";
  if (/profiles_country_fkey/.test(text)) return "country";
  return null;
}

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
