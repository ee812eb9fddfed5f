// Papierkorb: deleted projects and documents, each restorable until the daily cleanup
// removes it (the list says how many days are left), or removed for good at once. A
// deletion elsewhere offers "Rückgängig" in its notice, which restores from here.
import { api, ApiError } from "./api.js";
import { $, KeyedList, fill, formatDate, h } from "./dom.js";
import { t } from "./i18n.js";
import { act, showInline } from "./notice.js";

const DAY_MS = 86400000;
let rows;
let entries = [];
let keepDays = null;

const path = (entry) => `/trash/${entry.kind}/${encodeURIComponent(entry.id)}`;

/** The action of a deletion's notice: restore it at once ("Rückgängig"). */
export function undoDelete(kind, id, changed = () => {}) {
  return {
    label: t("trash.undo"),
    run: async () => {
      const done = await act(null, () => api.post(`/trash/${kind}/${encodeURIComponent(id)}/restore`),
        t("trash.restored"));
      if (done) changed();
    },
  };
}

function daysLeft(entry, now = Date.now()) {
  const days = Math.max(0, Math.ceil((Date.parse(entry.expires_at) - now) / DAY_MS));
  return days === 1 ? t("trash.dayLeft") : t("trash.daysLeft", { days });
}

function createRow(entry) {
  const restore = h("button", { type: "button", class: "small" });
  const remove = h("button", { type: "button", class: "small danger" });
  const cells = { name: h("td", { class: "name" }), kind: h("td", { class: "word" }), deleted: h("td"), left: h("td") };
  const row = h("tr", { "data-id": entry.id }, Object.values(cells),
    h("td", { class: "row-actions" }, restore, " ", remove));
  row.parts_ = { ...cells, restore, remove };
  return row;
}

function updateRow(row, entry) {
  const c = row.parts_;
  fill(c.name, entry.name);
  fill(c.kind, t(`trash.kind.${entry.kind}`));
  fill(c.deleted, formatDate(entry.deleted_at));
  fill(c.left, daysLeft(entry));
  fill(c.restore, t("trash.restore"));
  c.restore.setAttribute("aria-label", t("trash.restoreLabel", { name: entry.name }));
  c.restore.onclick = (event) => restore(entry, event.currentTarget);
  fill(c.remove, t("trash.remove"));
  c.remove.setAttribute("aria-label", t("trash.removeLabel", { name: entry.name }));
  c.remove.onclick = (event) => removeForGood(entry, event.currentTarget);
}

async function restore(entry, button) {
  const done = await act(button, () => api.post(`${path(entry)}/restore`),
    t("trash.restored"));
  if (done) refresh();
}

async function removeForGood(entry, button) {
  if (!confirm(t("trash.confirmRemove", { name: entry.name }))) return;
  const done = await act(button, () => api.del(path(entry)), t("trash.removed"));
  if (done) refresh();
}

async function refresh() {
  try {
    const answer = await api.get("/trash");
    entries = answer.data;
    keepDays = answer.keep_days;
    showInline($("#trash-error"), null);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 0)) showInline($("#trash-error"), error);
    return;
  }
  render();
}

function render() {
  fill($("#trash-intro"), keepDays ? t("trash.intro", { days: keepDays }) : "");
  rows.render(entries);
  $("#trash-table").hidden = entries.length === 0;
  $("#trash-empty").hidden = entries.length > 0;
}

export const trashView = {
  init() {
    rows = new KeyedList($("#trash-rows"), {
      key: (entry) => `${entry.kind}/${entry.id}`,
      create: createRow,
      update: updateRow,
    });
  },
  show: () => refresh(),
  hide: () => {},
  relabel() {
    rows.invalidate();
    render();
  },
};
