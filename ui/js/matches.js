// Why a search hit was found, as a person reads it: a level in words (hoch/mittel/gering),
// the matched words marked in the text, and a cut-off below which nothing really fits.
import { formatPercent, h } from "./dom.js";
import { t } from "./i18n.js";

const EXCERPT_CHARS = 160;

/** "hoch", "mittel" or "gering" as a badge; the percentage stays in the tooltip. */
export function levelBadge(hit) {
  const { level } = hit.match;
  const tip = t("match.scoreTip", { p: formatPercent(hit.score) });
  return h("span", { class: `level ${level}`, title: tip }, t(`match.${level}`));
}

/** Hits that really fit: the rest is hidden until asked for (a cut-off, not a page). */
export function splitByLevel(hits) {
  return {
    fitting: hits.filter((hit) => hit.match.level !== "low"),
    weak: hits.filter((hit) => hit.match.level === "low"),
  };
}

/** A note under a hit: found by meaning alone, or not every word found. */
export function matchNote(hit) {
  if (hit.match.meaning_only) return h("span", { class: "tag" }, t("match.meaningOnly"));
  if (hit.match.all_words === false) return h("span", { class: "tag" }, t("match.someWords"));
  return null;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `text` cut around the first matched word, the matched words as <mark>: text nodes and
 *  elements only, never parsed as HTML. */
export function markedExcerpt(text, words) {
  if (!text) return [];
  let start = 0;
  const pattern = words.length
    ? new RegExp(`(${words.map(escapeRegExp).join("|")})`, "giu")
    : null;
  if (pattern) {
    const first = text.search(pattern);
    if (first > 40) start = text.lastIndexOf(" ", first - 30) + 1;
  }
  let excerpt = text.slice(start, start + EXCERPT_CHARS);
  if (start > 0) excerpt = `… ${excerpt}`;
  if (start + EXCERPT_CHARS < text.length) excerpt = `${excerpt} …`;
  if (!pattern) return [excerpt];
  return excerpt.split(pattern).map((piece, i) => (i % 2 ? h("mark", {}, piece) : piece));
}
