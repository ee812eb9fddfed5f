// Amounts the way a German office writes them: a dot between thousands, a comma before
// the cents ("14.200,50"). Read as text, digit by digit, never through parseFloat; what is
// read goes to the API as an exact decimal string ("14200.50").

const OFFICE = "de-DE";
const MAX_CENTS = 1_000_000_000_000n; // 10.000.000.000,00 €, the API's bound

const euros = new Intl.NumberFormat(OFFICE, { style: "currency", currency: "EUR" });
const wholeEuros = new Intl.NumberFormat(OFFICE, {
  style: "currency", currency: "EUR", minimumFractionDigits: 0, maximumFractionDigits: 0,
});
const plain = new Intl.NumberFormat(OFFICE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const refuse = (error, params = {}) => ({ error, params });

// The German form of a number written the English way: "1,234.56" -> "1.234,56".
const swapped = (text) => text.replace(/[.,]/g, (mark) => (mark === "." ? "," : "."));

/**
 * Read an amount typed in German. Returns {value: "14200.50"} (the API's decimal string),
 * {empty: true}, or {error, params}: an i18n key for the refusal and its placeholders.
 */
export function readAmount(typed) {
  const text = typed.trim().replace(/^€\s*|\s*€$/g, "");
  if (text === "") return { empty: true };
  if (/^-\s*[\d.,]+$/.test(text)) return refuse("form.negative");
  if (!/^[\d.,]+$/.test(text)) return refuse("money.notNumber");
  if (/^\d{1,3}(,\d{3})+\.\d+$/.test(text) || /^\d{1,3}(,\d{3}){2,}$/.test(text)) {
    return refuse("money.english", { suggestion: swapped(text) });
  }
  const [whole, cents, extra] = text.split(",");
  if (extra !== undefined || whole === "" || cents === "") return refuse("money.notNumber");
  if (cents !== undefined && !/^\d+$/.test(cents)) return refuse("money.notNumber");
  if (cents?.length > 2) return refuse("form.decimals");
  let digits;
  if (/^\d+$/.test(whole)) digits = whole;
  else if (/^\d{1,3}(\.\d{3})+$/.test(whole)) digits = whole.replaceAll(".", "");
  else if (cents === undefined && /^\d+\.\d{1,2}$/.test(whole)) {
    // "14.20": cents after a dot, or a thousand with a digit missing? Not guessed.
    return refuse("money.decimalDot", { suggestion: whole.replace(".", ",") });
  } else return refuse("money.grouping");
  const fraction = (cents ?? "").padEnd(2, "0");
  if (BigInt(digits) * 100n + BigInt(fraction) > MAX_CENTS) {
    return refuse("form.tooLarge");
  }
  return { value: `${digits.replace(/^0+(?=\d)/, "")}.${fraction}` };
}

/** An amount from the API (a JSON number, or a decimal string) as a person types it:
 * "14.200,50"; "" for none. */
export function amountText(value) {
  if (value === null || value === undefined || value === "") return "";
  return plain.format(value); // a string is formatted as the exact decimal it is
}

/** An amount for display, always the German way: "14.200,50 €", "–" for none. */
export function formatEuro(value) {
  if (value === null || value === undefined || value === "") return "–";
  return euros.format(value);
}

/** A rough amount, to the euro: "12.400 €" (a hint, where cents would be noise). */
export function formatWholeEuro(value) {
  if (value === null || value === undefined || value === "") return "–";
  return wholeEuros.format(value);
}
