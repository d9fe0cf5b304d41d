/**
 * The flag emoji of an ISO 3166-1 alpha-2 code: two regional indicator symbols
 * ("SE" → 🇸🇪). Not every system can draw them (Windows, and Linux without an emoji
 * font, show two letters or empty boxes), so check canShowFlagEmoji() first, and
 * always show the country's name next to a flag.
 */
export function flagEmoji(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return "";
  return String.fromCodePoint(...[...code].map((letter) => 0x1f1e6 + letter.charCodeAt(0) - 65));
}

let flagSupport: boolean | undefined;

/**
 * Whether this browser draws flag emoji in colour: draws 🇸🇪 on a canvas in black and
 * looks for a coloured pixel. Letters or boxes in its place stay grey. Checked once.
 */
export function canShowFlagEmoji(): boolean {
  if (flagSupport !== undefined) return flagSupport;
  flagSupport = false;
  if (typeof document === "undefined" || /jsdom/i.test(navigator.userAgent)) return flagSupport;
  try {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 32;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    if (!context) return flagSupport;
    context.font = '24px "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji", sans-serif';
    context.textBaseline = "top";
    context.fillStyle = "#000";
    context.fillText(flagEmoji("SE"), 0, 0);
    const pixels = context.getImageData(0, 0, 32, 32).data;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] > 0 && (pixels[i] !== pixels[i + 1] || pixels[i + 1] !== pixels[i + 2])) {
        flagSupport = true;
        break;
      }
    }
  } catch {
    // No canvas: no flags.
  }
  return flagSupport;
}

/** "🇸🇪 Sweden" where flags can be drawn, "Sweden" elsewhere: for <option> text. */
export function countryOptionLabel(country: { code: string; name: string }): string {
  return canShowFlagEmoji() ? `${flagEmoji(country.code)} ${country.name}` : country.name;
}
