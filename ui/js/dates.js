// Days the way a German office writes them, "31.05.2024", whatever the browser's locale
// (an <input type=date> shows that locale's format). The API takes and gives ISO days.

const GERMAN_DAY = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysIn(month, year) {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const two = (n) => String(n).padStart(2, "0");

/**
 * Read a day typed as TT.MM.JJJJ (also 31.5.2024). Returns {value: "2024-05-31"},
 * {empty: true}, or {error, params}: an i18n key for the refusal and its placeholders.
 */
export function readDate(typed) {
  const text = typed.trim();
  if (text === "") return { empty: true };
  const found = GERMAN_DAY.exec(text);
  if (!found) return { error: "date.format", params: {} };
  const [day, month, year] = found.slice(1).map(Number);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) {
    return { error: "date.impossible", params: { date: text } };
  }
  return { value: `${year}-${two(month)}-${two(day)}` };
}

/** An ISO day from the API ("2024-05-31") as "31.05.2024"; "" for none. Read as text:
 * a Date would move it into the browser's time zone (to the 30th, west of Greenwich). */
export function dateText(iso) {
  const found = ISO_DAY.exec(iso ?? "");
  return found ? `${found[3]}.${found[2]}.${found[1]}` : "";
}
