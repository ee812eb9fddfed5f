// Uploading: drop or pick several files; each shows its upload progress, then its
// processing state live until it is completed or failed. A board is one drop zone with its
// list (the documents view has one, a project's page another); they share the queue.
//
// The documents view's project choice ("Projekt für neue Dateien") holds for one batch:
// the files dropped or picked at once take the project chosen at that moment, and once
// every one of them is sent (stored, found already there, or refused) the choice goes
// back to "Kein Projekt" and a notice says so, unless the person changed it meanwhile.
// So the next papers never land under the last job by mistake. A file that was already
// there under another project (or none) offers "Zuordnen": one click links the stored
// document to the chosen project. A paper sent to no project offers, once it is read, the
// project it most likely belongs to ("Gehört vermutlich zu: …"), linked with one click.
import { api, upload } from "./api.js";
import { openDocument } from "./document-detail.js";
import { docState } from "./docstate.js";
import { $, KeyedList, fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { act, describe, notify } from "./notice.js";
import { projectNames } from "./project-names.js";

const PARALLEL = 3; // uploads at the same time; the rest wait their turn
const FINAL = new Set(["completed", "failed"]);

const waiting = []; // [board, item, file, batch]
let sending = 0;
let counter = 0;
let names = new Map(); // project names, loaded when a duplicate needs them

function createItem(item) {
  const name = h("span", { class: "name" });
  const state = h("div", { class: "state" });
  const assign = h("button", { type: "button", class: "small", hidden: true }, "");
  const open = h("button", { type: "button", class: "small", hidden: true }, "");
  const li = h("li", { "data-upload": item.key }, name, state,
    h("span", { class: "row-actions" }, assign, open));
  li.parts_ = { name, state, assign, open };
  return li;
}

/** A duplicate stored under another project (or none) than the one chosen for it. */
const linkable = (item) => Boolean(item.duplicate && item.project && item.doc
  && item.doc.project_id !== item.project);

/** What a duplicate's row says about its project: where it is, or that it was linked. */
function duplicateNote(item) {
  if (item.linked && item.doc.project_id === item.project) {
    return t("links.linked", { name: names.get(item.project) ?? "…" });
  }
  if (!linkable(item)) return "";
  const where = item.doc.project_id;
  return where ? t("links.elsewhere", { name: names.get(where) ?? "…" }) : t("links.nowhere");
}

async function assign(board, item, button) {
  const name = names.get(item.project) ?? "…";
  const body = { project_id: item.project };
  const doc = await act(button, () => api.patch(`/documents/${item.doc.id}`, body),
    t("links.linked", { name }));
  if (!doc) return;
  item.doc = { ...item.doc, ...doc };
  item.linked = true;
  board.render();
  board.changed();
}

/** Once a paper sent to no project is read: the project it most likely belongs to. */
async function askSuggestion(item) {
  item.suggested = null; // asked: once is enough
  const answer = await api.get(`/documents/${item.doc.id}/suggested-projects`).catch(() => null);
  item.suggested = answer?.data[0] ?? null;
}

const suggestable = (item) => !item.project && !item.duplicate && item.doc?.status === "completed"
  && !item.doc.project_id;

async function linkSuggested(board, item, button) {
  const { id, name } = item.suggested;
  const doc = await act(button, () => api.patch(`/documents/${item.doc.id}`, { project_id: id }),
    t("links.linked", { name }));
  if (!doc) return;
  item.doc = { ...item.doc, ...doc };
  item.linkedTo = name;
  board.render();
  board.changed();
}

/** "Gehört vermutlich zu: X [Zuordnen]", or that it was linked. */
function suggestion(item, board) {
  if (item.linkedTo && item.doc.project_id) {
    return h("span", { class: "muted" }, t("links.linked", { name: item.linkedTo }));
  }
  if (!item.suggested || !suggestable(item)) return null;
  const { name } = item.suggested;
  return h("span", { class: "suggest-inline" }, t("suggest.label"), " ", h("strong", {}, name),
    " ", h("button", {
      type: "button",
      class: "small",
      "aria-label": t("suggest.linkTo", { name }),
      onclick: (event) => linkSuggested(board, item, event.currentTarget),
    }, t("suggest.link")));
}

function updateItem(li, item, board) {
  const { changed } = board;
  const { name, state, assign: link, open } = li.parts_;
  fill(name, item.name);
  if (item.error) {
    const { title, detail } = describe(item.error);
    fill(state, h("span", { class: "badge bad" }, t("docs.refused")), " ",
      h("span", { class: "reason" }, title, detail ? h("span", { class: "detail" }, detail) : null));
  } else if (!item.doc) {
    const pct = Math.round(item.progress * 100);
    const label = t("docs.uploading", { pct });
    fill(state, h("progress", { max: 100, value: pct, "aria-label": label }), h("span", {}, label));
  } else {
    // The document's row in the list offers its retry; a second button here would repeat it.
    fill(state, docState(item.doc, changed, { retry: false }),
      item.duplicate ? h("span", { class: "muted" }, t("docs.duplicate"), " ", duplicateNote(item))
        : null, suggestion(item, board));
  }
  link.hidden = !linkable(item);
  fill(link, t("links.assign"));
  const label = t("links.assignLabel", { file: item.name, name: names.get(item.project) ?? "…" });
  link.setAttribute("aria-label", label);
  link.title = label;
  link.onclick = (event) => linkable(item) && assign(board, item, event.currentTarget);
  open.hidden = !item.doc;
  fill(open, t("common.open"));
  open.setAttribute("aria-label", `${t("common.open")}: ${item.name}`);
  open.onclick = () => item.doc && openDocument(item.doc.id, changed);
}

function pump() {
  while (sending < PARALLEL && waiting.length) {
    const [board, item, file, batch] = waiting.shift();
    sending += 1;
    board.send(item, file).finally(() => {
      sending -= 1;
      batch.left -= 1;
      if (batch.left === 0) board.sent(batch.project);
      pump();
    });
  }
}

/** One drop zone, its file picker, its list of uploads and its "hide finished" button. */
export class UploadBoard {
  /** `parts`: the elements; `project()`: where new files go, asked when they are picked
   * (a choice changed while files still wait does not move them); `onChange` refreshes;
   * `onSent(project)` runs when every file of a batch (picked or dropped at once) is sent. */
  constructor({ zone, input, panel, list, clear },
    { project = () => "", onChange = () => {}, onSent = () => {} }) {
    Object.assign(this, { panel, project, changed: onChange, sent: onSent });
    this.items = new Map(); // key -> {key, name, project, progress, doc, duplicate, error}
    this.list = new KeyedList(list, {
      key: (item) => item.key,
      create: createItem,
      update: (li, item) => updateItem(li, item, this),
    });
    input.addEventListener("change", () => {
      this.add([...input.files]);
      input.value = "";
    });
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      this.add([...event.dataTransfer.files]);
    });
    clear.addEventListener("click", () => {
      for (const [key, item] of this.items) {
        if (item.error || (item.doc && FINAL.has(item.doc.status))) this.items.delete(key);
      }
      this.render();
    });
  }

  render() {
    this.panel.hidden = this.items.size === 0;
    this.list.render([...this.items.values()]);
  }

  add(files) {
    if (!files.length) return;
    const project = this.project();
    const batch = { project, left: files.length };
    for (const file of files) {
      const key = `u${++counter}`;
      const item = { key, name: file.name, project, progress: 0, doc: null, error: null };
      this.items.set(item.key, item);
      waiting.push([this, item, file, batch]);
    }
    this.render();
    pump();
  }

  async send(item, file) {
    const { project } = item;
    try {
      const answer = await upload(file, project, (fraction) => {
        item.progress = fraction;
        this.render();
      });
      if (answer.duplicate && project && answer.project_id !== project) {
        // The row names the projects involved; a project made a moment ago needs fresh names.
        // Names are a nicety: without them the row says "…", the upload still succeeded.
        names = await projectNames().catch(() => names);
        if (!names.has(project)) names = await projectNames(0).catch(() => names);
      }
      item.doc = answer;
      item.duplicate = answer.duplicate;
      this.changed();
    } catch (error) {
      item.error = error;
    }
    this.render();
  }

  /** Take fresh states from a list page; ask for the others that are still under way. */
  async track(page) {
    const byId = new Map(page.map((doc) => [doc.id, doc]));
    const elsewhere = [];
    for (const item of this.items.values()) {
      if (!item.doc) continue;
      const fresh = byId.get(item.doc.id);
      if (fresh) item.doc = fresh;
      else if (!FINAL.has(item.doc.status)) elsewhere.push(item);
    }
    await Promise.all(elsewhere.map(async (item) => {
      const fresh = await api.get(`/documents/${item.doc.id}`).catch(() => null);
      if (fresh) item.doc = { ...fresh, searchable_text: null };
    }));
    const unasked = [...this.items.values()].filter((i) => suggestable(i) && i.suggested === undefined);
    await Promise.all(unasked.map(askSuggestion));
    if (this.items.size) this.render();
  }

  relabel() {
    this.list.invalidate();
    this.render();
  }

  /** Hide every item, finished or not (the board now stands for another project). */
  forgetAll() {
    this.items.clear();
    this.render();
  }
}

// The documents view's board.
let board;

export const trackUploads = (page) => board.track(page);

export function relabelUploads() {
  board.relabel();
  showUploadTarget();
}

/** Say at the drop zone where new files go (after the project list or choice changed). */
export function showUploadTarget() {
  const select = $("#upload-project");
  const name = select.value ? select.selectedOptions[0]?.textContent : "";
  fill($("#upload-target"), name ? t("links.target", { name }) : t("links.targetNone"));
}

/** A batch went to `project`: the choice goes back to none, unless it was changed since. */
function batchSent(project) {
  const select = $("#upload-project");
  if (!project || select.value !== project) return;
  const name = select.selectedOptions[0]?.textContent ?? "";
  select.value = "";
  showUploadTarget();
  notify(t("links.choiceReset", { name }));
}

/** Wire the drop zone, the file picker and "hide finished"; `onChange` refreshes the list. */
export function initUploads(onChange) {
  const parts = {
    zone: $("#dropzone"),
    input: $("#file-input"),
    panel: $("#uploads"),
    list: $("#upload-list"),
    clear: $("#uploads-clear"),
  };
  const project = () => $("#upload-project").value;
  board = new UploadBoard(parts, { project, onChange, onSent: batchSent });
  $("#upload-project").addEventListener("change", showUploadTarget);
  showUploadTarget();
}
