// Small DOM helpers. Server text only ever becomes text nodes: nothing here parses HTML.
import { dateText } from "./dates.js";
import { locale } from "./i18n.js";
import { formatEuro } from "./money.js";

// Days and amounts are shown the way a German office writes them, in either UI language.
const OFFICE = "de-DE";
const DAY = { day: "2-digit", month: "2-digit", year: "numeric" };
const MOMENT = { ...DAY, hour: "2-digit", minute: "2-digit", second: "2-digit" };

/** Build an element: h("button", {class: "x", onclick: fn, disabled: true}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  el.append(...flat(children));
  return el;
}

function flat(children) {
  return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
}

/** Replace an element's children (strings become text nodes). */
export function fill(el, ...children) {
  el.replaceChildren(...flat(children));
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * Rows keyed by id, updated in place: a row is built once per key and refreshed only when
 * its item changed, so polling every second neither rebuilds the list nor steals focus.
 */
export class KeyedList {
  constructor(container, { key = (item) => item.id, create, update }) {
    Object.assign(this, { container, key, create, update });
    this.rows = new Map(); // key -> {el, sig}
  }

  render(items) {
    const seen = new Set();
    let previous = null;
    for (const item of items) {
      const key = this.key(item);
      seen.add(key);
      let row = this.rows.get(key);
      const sig = JSON.stringify(item);
      if (!row) {
        row = { el: this.create(item), sig: null };
        this.rows.set(key, row);
      }
      if (row.sig !== sig) {
        this.update(row.el, item);
        row.sig = sig;
      }
      const wanted = previous ? previous.nextSibling : this.container.firstChild;
      if (wanted !== row.el) this.container.insertBefore(row.el, wanted);
      previous = row.el;
    }
    for (const [key, row] of this.rows) {
      if (!seen.has(key)) {
        row.el.remove();
        this.rows.delete(key);
      }
    }
  }

  /** Forget the rendered state (after a language switch every row is drawn again). */
  invalidate() {
    for (const row of this.rows.values()) row.sig = null;
  }
}

/** Calls `fn` once input has paused for `ms`. */
export function debounce(fn, ms = 300) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function formatDate(value) {
  if (!value) return "–";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return date.toLocaleString(OFFICE, MOMENT);
}

export function formatTime(value) {
  return value ? new Date(value).toLocaleTimeString(locale()) : "–";
}

/** "31.05.2024": an ISO day as it is, a timestamp's day where the browser is. */
export function formatDay(value) {
  if (!value) return "–";
  return dateText(value) || new Date(value).toLocaleDateString(OFFICE, DAY);
}

export function formatBytes(bytes) {
  if (bytes == null) return "–";
  const units = ["B", "KB", "MB", "GB"];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || size >= 10 ? 0 : 1;
  return `${size.toLocaleString(locale(), { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** "14.200,50 €", "–" for none. */
export const formatMoney = formatEuro;

export function formatSeconds(seconds) {
  if (seconds == null) return "–";
  if (seconds < 60) return `${seconds.toLocaleString(locale(), { maximumFractionDigits: 1 })} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

export function formatPercent(score) {
  return `${Math.round(score * 100)} %`;
}

/** A short, readable form of a task id. */
export const shortId = (id) => (id ? id.slice(0, 8) : "–");
