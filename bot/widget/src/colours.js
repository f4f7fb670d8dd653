// Picks text colours that stay readable (WCAG AA, 4.5:1) on whatever brand colour an operator sets.

const DARK = "#1a1a1a";
const LIGHT = "#ffffff";
const AA = 4.5;

export function parseHex(value) {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value || "").trim());
  if (!match) return null;
  const hex = match[1].length === 3 ? [...match[1]].map((c) => c + c).join("") : match[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(parseHex(a)), luminance(parseHex(b))].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// accent: the brand colour; onAccent: text on it; accentText: the brand colour as text on white
// (falls back to dark text when the brand colour is too light to read).
export function palette(accent) {
  const onAccent = contrast(accent, LIGHT) >= contrast(accent, DARK) ? LIGHT : DARK;
  const accentText = contrast(accent, LIGHT) >= AA ? accent : DARK;
  return { accent, onAccent, accentText };
}
