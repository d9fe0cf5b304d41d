import { type FormEvent, useId, useMemo, useRef, useState } from "react";
import { describeError } from "../../components/States.tsx";
import type { Country } from "../../data/countries/index.ts";
import { type MyProfile, useUpdateMyProfileMutation } from "../../data/my-profile/index.ts";
import { todayIso } from "../../lib/dates.ts";
import { countryOptionLabel } from "../../lib/flags.ts";
import {
  bioMaxLength,
  characterCount,
  earliestBirthday,
  fieldOfDatabaseError,
  formValuesFrom,
  patchFrom,
  type ProfileField,
  type ProfileFormErrors,
  type ProfileFormValues,
  validateProfileForm,
} from "./validation.ts";
import "./ProfileForm.css";

interface ProfileFormProps {
  profile: MyProfile;
  /** The country list; null while it loads (the picker then offers only the current one). */
  countries: Country[] | null;
}

/** The fields a user owns: bio, birthday (and whether it is public), country. */
export function ProfileForm({ profile, countries }: ProfileFormProps) {
  const id = useId();
  const [values, setValues] = useState<ProfileFormValues>(() => formValuesFrom(profile));
  const [errors, setErrors] = useState<ProfileFormErrors>({});
  const [status, setStatus] = useState<{ kind: "saved" } | { kind: "failed"; message: string } | null>(null);
  const fields = {
    bio: useRef<HTMLTextAreaElement>(null),
    birthday: useRef<HTMLInputElement>(null),
    country: useRef<HTMLSelectElement>(null),
  };
  const countryCodes = useMemo(() => (countries ? new Set(countries.map((c) => c.code)) : null), [countries]);
  const today = todayIso();

  const save = useUpdateMyProfileMutation(profile.clerk_id, {
    onSuccess: () => setStatus({ kind: "saved" }),
    onError: (error) => {
      const field = fieldOfDatabaseError(error);
      if (field) {
        setErrors({ [field]: "The server did not accept this value." });
        fields[field].current?.focus();
      }
      setStatus({ kind: "failed", message: describeError(error) });
    },
  });

  const update = <K extends keyof ProfileFormValues>(key: K, value: ProfileFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    setStatus(null);
    if (key in errors) setErrors((current) => ({ ...current, [key]: undefined }));
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateProfileForm(values, { today, countryCodes });
    setErrors(found);
    const firstInvalid = (["bio", "birthday", "country"] as ProfileField[]).find((field) => found[field]);
    if (firstInvalid) {
      setStatus(null);
      fields[firstInvalid].current?.focus();
      return;
    }
    setStatus(null);
    save.mutate(patchFrom(values));
  };

  const bioLength = characterCount(values.bio.trim());
  const errorId = (field: ProfileField) => `${id}-${field}-error`;
  const describedBy = (field: ProfileField, ...others: string[]) =>
    [errors[field] ? errorId(field) : null, ...others].filter(Boolean).join(" ") || undefined;

  return (
    <form className="profile-form" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>About you</h2>
      <p className="form-intro">These are yours: only you can change them. Everyone can see your bio and country.</p>

      <div className={`field${errors.bio ? " field--invalid" : ""}`}>
        <label htmlFor={`${id}-bio`}>Bio</label>
        <textarea
          id={`${id}-bio`}
          ref={fields.bio}
          rows={5}
          value={values.bio}
          onChange={(event) => update("bio", event.target.value)}
          aria-invalid={errors.bio ? true : undefined}
          aria-describedby={describedBy("bio", `${id}-bio-count`)}
          placeholder="A line or two about yourself"
        />
        <p id={`${id}-bio-count`} className={`field__hint${bioLength > bioMaxLength ? " field__hint--over" : ""}`}>
          {bioLength} / {bioMaxLength} characters
        </p>
        {errors.bio ? <FieldError id={errorId("bio")} message={errors.bio} /> : null}
      </div>

      <div className="field-row">
        <div className={`field${errors.birthday ? " field--invalid" : ""}`}>
          <label htmlFor={`${id}-birthday`}>Birthday</label>
          <input
            id={`${id}-birthday`}
            ref={fields.birthday}
            type="date"
            min={earliestBirthday}
            max={today}
            value={values.birthday}
            onChange={(event) => update("birthday", event.target.value)}
            aria-invalid={errors.birthday ? true : undefined}
            aria-describedby={describedBy("birthday")}
          />
          {errors.birthday ? <FieldError id={errorId("birthday")} message={errors.birthday} /> : null}
        </div>

        <div className={`field${errors.country ? " field--invalid" : ""}`}>
          <label htmlFor={`${id}-country`}>Country</label>
          <select
            id={`${id}-country`}
            ref={fields.country}
            value={values.country}
            onChange={(event) => update("country", event.target.value)}
            aria-invalid={errors.country ? true : undefined}
            aria-describedby={describedBy("country")}
          >
            <option value="">Not set</option>
            {values.country && !countryCodes?.has(values.country) ? <option value={values.country}>{values.country}</option> : null}
            {countries?.map((country) => (
              <option key={country.code} value={country.code}>
                {countryOptionLabel(country)}
              </option>
            ))}
          </select>
          {errors.country ? <FieldError id={errorId("country")} message={errors.country} /> : null}
        </div>
      </div>

      <div className="field field--checkbox">
        <input
          id={`${id}-birthday-public`}
          type="checkbox"
          checked={values.birthdayPublic}
          onChange={(event) => update("birthdayPublic", event.target.checked)}
        />
        <label htmlFor={`${id}-birthday-public`}>Show my birthday on my public profile</label>
      </div>

      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save changes"}
        </button>
        <p className="form-status" role="status" aria-live="polite">
          {status?.kind === "saved" ? "Saved." : null}
        </p>
      </div>
      {status?.kind === "failed" ? (
        <div className="form-error" role="alert">
          <strong>Your changes were not saved.</strong> {status.message}
        </div>
      ) : null}
    </form>
  );
}

function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <p id={id} className="field__error">
      {message}
    </p>
  );
}
