// One document in a dialog: its project (changed right there), metadata, extracted text,
// download, retry, delete. While it is being processed the dialog follows its state every
// second.
import { api } from "./api.js";
import { docState, retryDocument } from "./docstate.js";
import { $, fill, formatBytes, formatDate, h } from "./dom.js";
import { t } from "./i18n.js";
import { act, notify, showInline } from "./notice.js";
import { poller } from "./poll.js";
import { fillProjectSelect, projectNames } from "./project-names.js";
import { ProjectSuggestions } from "./suggestions.js";
import { undoDelete } from "./trash.js";

const FINAL = new Set(["completed", "failed"]);
let current = null; // the document shown
let changed = () => {};
let shownText = null;
// Counts the starts and ends of link changes: a state read while one ran may be stale.
let saves = 0;
const loop = poller(load);
let suggestions;

/** The project names, reloaded when the document's project is not among them yet. */
async function namesFor(doc) {
  const names = await projectNames();
  return doc.project_id && !names.has(doc.project_id) ? projectNames(0) : names;
}

async function load() {
  if (!current) return;
  const before = saves;
  try {
    const doc = await api.get(`/documents/${current.id}`);
    const names = await namesFor(doc);
    if (!current || current.id !== doc.id || saves !== before) return;
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
    [t("docs.colCreated"), formatDate(doc.created_at)],
    [t("docs.processed"), formatDate(doc.processed_at)],
    [t("docs.checksum"), h("span", { class: "mono" }, doc.sha256)],
  ];
  fill($("#doc-meta"), rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  const project = $("#doc-link-project");
  fillProjectSelect(project, names);
  project.value = doc.project_id ?? "";
  project.disabled = false;
  $("#doc-download").href = `/api/v1/documents/${encodeURIComponent(doc.id)}/download`;
  $("#doc-retry").hidden = !(doc.status === "failed" && doc.retryable);
  suggestions.update(doc);
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
  $("#doc-link-project").disabled = true;
  suggestions.reset();
  $("#doc-text").textContent = "";
  showInline($("#doc-dialog-error"), null);
  const dialog = $("#doc-dialog");
  if (!dialog.open) dialog.showModal();
  loop.start();
  loop.now();
}

/** Link the shown document to the project chosen in the dialog (or to none), at once. */
function saveLink(select) {
  return linkTo(select.value || null, select.selectedOptions[0]?.textContent ?? "", select);
}

/** Link the shown document to `projectId` (null: to none); `control` waits meanwhile. */
async function linkTo(projectId, name, control) {
  if (!current?.status) return;
  const id = current.id;
  if (!projectId) suggestions.reset(); // unlinked: worth asking again
  saves += 1;
  const said = projectId ? t("links.linked", { name }) : t("links.unlinked");
  const doc = await act(control, () => api.patch(`/documents/${id}`, { project_id: projectId }),
    said);
  saves += 1;
  if (current?.id !== id) return;
  if (doc) {
    current = { ...current, ...doc }; // the answer has no text: keep the one shown
    changed();
  }
  render(current, await namesFor(current));
}

/** Wire the dialog's buttons (once, at start). */
export function initDocumentDetail() {
  const dialog = $("#doc-dialog");
  suggestions = new ProjectSuggestions($("#doc-suggest"), linkTo);
  dialog.addEventListener("close", () => {
    loop.stop();
    current = null;
  });
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  $("#doc-link-project").addEventListener("change", (event) => saveLink(event.currentTarget));
  $("#doc-retry").addEventListener("click", (event) => {
    if (current) retryDocument(current, event.currentTarget, refresh);
  });
  $("#doc-delete").addEventListener("click", async (event) => {
    if (!current || !confirm(t("docs.confirmDelete", { name: current.original_name }))) return;
    const { id } = current;
    const done = await act(event.currentTarget, () => api.del(`/documents/${id}`));
    if (done) {
      notify(t("docs.deleted"), undoDelete("document", id, changed));
      dialog.close();
      changed();
    }
  });
  document.addEventListener("langchange", () => {
    if (current?.status) {
      shownText = null;
      namesFor(current).then((names) => current && render(current, names));
    }
  });
}
