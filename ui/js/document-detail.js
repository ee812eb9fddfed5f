// One document in a dialog: metadata, extracted text, download, retry, delete. While it is
// being processed the dialog follows its state every second.
import { api } from "./api.js";
import { docState, retryDocument } from "./docstate.js";
import { $, fill, formatBytes, formatDate, h } from "./dom.js";
import { t } from "./i18n.js";
import { act, showInline } from "./notice.js";
import { poller } from "./poll.js";
import { projectNames } from "./project-names.js";

const FINAL = new Set(["completed", "failed"]);
let current = null; // the document shown
let changed = () => {};
let shownText = null;
const loop = poller(load);

async function load() {
  if (!current) return;
  try {
    const [doc, names] = await Promise.all([api.get(`/documents/${current.id}`), projectNames()]);
    current = doc;
    render(doc, names);
    showInline($("#doc-dialog-error"), null);
    if (FINAL.has(doc.status)) loop.stop();
  } catch (error) {
    showInline($("#doc-dialog-error"), error);
    if (error.status === 404) loop.stop();
  }
}

function render(doc, names) {
  fill($("#doc-dialog-title"), doc.original_name);
  const rows = [
    // The dialog's own button offers the retry, not the state as well.
    [t("docs.colStatus"), h("div", { class: "state" }, docState(doc, refresh, { retry: false }))],
    [t("docs.colType"), t(`doc.type.${doc.file_type}`)],
    [t("docs.colSize"), formatBytes(doc.size_bytes)],
    [t("docs.pages"), doc.page_count ?? "–"],
    [t("docs.colProject"), doc.project_id ? names.get(doc.project_id) ?? "…" : "–"],
    [t("docs.colCreated"), formatDate(doc.created_at)],
    [t("docs.processed"), formatDate(doc.processed_at)],
    [t("docs.checksum"), h("span", { class: "mono" }, doc.sha256)],
  ];
  fill($("#doc-meta"), rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  $("#doc-download").href = `/api/v1/documents/${encodeURIComponent(doc.id)}/download`;
  $("#doc-retry").hidden = !(doc.status === "failed" && doc.retryable);
  // Re-filling a long text every second would reset its scroll position: only on change.
  const text = doc.searchable_text || t(doc.status === "failed" ? "docs.noTextFailed" : "docs.noText");
  if (text !== shownText) {
    $("#doc-text").textContent = text;
    shownText = text;
  }
}

function refresh() {
  changed();
  loop.start();
  loop.now();
}

/** Open the dialog for document `id`; `onChange` runs after a retry or delete. */
export function openDocument(id, onChange = () => {}) {
  current = { id };
  changed = onChange;
  shownText = null;
  fill($("#doc-dialog-title"), t("docs.detailTitle"));
  fill($("#doc-meta"));
  $("#doc-text").textContent = "";
  showInline($("#doc-dialog-error"), null);
  const dialog = $("#doc-dialog");
  if (!dialog.open) dialog.showModal();
  loop.start();
  loop.now();
}

/** Wire the dialog's buttons (once, at start). */
export function initDocumentDetail() {
  const dialog = $("#doc-dialog");
  dialog.addEventListener("close", () => {
    loop.stop();
    current = null;
  });
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  $("#doc-retry").addEventListener("click", (event) => {
    if (current) retryDocument(current, event.currentTarget, refresh);
  });
  $("#doc-delete").addEventListener("click", async (event) => {
    if (!current || !confirm(t("docs.confirmDelete", { name: current.original_name }))) return;
    const remove = () => api.del(`/documents/${current.id}`);
    const done = await act(event.currentTarget, remove, t("docs.deleted"));
    if (done) {
      dialog.close();
      changed();
    }
  });
  document.addEventListener("langchange", () => {
    if (current?.status) {
      shownText = null;
      projectNames().then((names) => current && render(current, names));
    }
  });
}
