// Uploading: drop or pick several files; each shows its upload progress, then its
// processing state live until it is completed or failed. A board is one drop zone with its
// list (the documents view has one, a project's page another); they share the queue.
import { api, upload } from "./api.js";
import { openDocument } from "./document-detail.js";
import { docState } from "./docstate.js";
import { $, KeyedList, fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { describe } from "./notice.js";

const PARALLEL = 3; // uploads at the same time; the rest wait their turn
const FINAL = new Set(["completed", "failed"]);

const waiting = []; // [board, item, file]
let sending = 0;
let counter = 0;

function createItem(item) {
  const name = h("span", { class: "name" });
  const state = h("div", { class: "state" });
  const open = h("button", { type: "button", class: "small", hidden: true }, "");
  const li = h("li", { "data-upload": item.key }, name, state, open);
  li.parts_ = { name, state, open };
  return li;
}

function updateItem(li, item, changed) {
  const { name, state, open } = li.parts_;
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
      item.duplicate ? h("span", { class: "muted" }, t("docs.duplicate")) : null);
  }
  open.hidden = !item.doc;
  fill(open, t("common.open"));
  open.setAttribute("aria-label", `${t("common.open")}: ${item.name}`);
  open.onclick = () => item.doc && openDocument(item.doc.id, changed);
}

function pump() {
  while (sending < PARALLEL && waiting.length) {
    const [board, item, file] = waiting.shift();
    sending += 1;
    board.send(item, file).finally(() => {
      sending -= 1;
      pump();
    });
  }
}

/** One drop zone, its file picker, its list of uploads and its "hide finished" button. */
export class UploadBoard {
  /** `parts`: the elements; `project()`: where new files go, asked when they are picked
   * (a choice changed while files still wait does not move them); `onChange` refreshes. */
  constructor({ zone, input, panel, list, clear }, { project = () => "", onChange = () => {} }) {
    Object.assign(this, { panel, project, changed: onChange });
    this.items = new Map(); // key -> {key, name, project, progress, doc, duplicate, error}
    this.list = new KeyedList(list, {
      key: (item) => item.key,
      create: createItem,
      update: (li, item) => updateItem(li, item, this.changed),
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
    const project = this.project();
    for (const file of files) {
      const key = `u${++counter}`;
      const item = { key, name: file.name, project, progress: 0, doc: null, error: null };
      this.items.set(item.key, item);
      waiting.push([this, item, file]);
    }
    this.render();
    pump();
  }

  async send(item, file) {
    try {
      const answer = await upload(file, item.project, (fraction) => {
        item.progress = fraction;
        this.render();
      });
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
export const relabelUploads = () => board.relabel();

/** Wire the drop zone, the file picker and "hide finished"; `onChange` refreshes the list. */
export function initUploads(onChange) {
  const parts = {
    zone: $("#dropzone"),
    input: $("#file-input"),
    panel: $("#uploads"),
    list: $("#upload-list"),
    clear: $("#uploads-clear"),
  };
  board = new UploadBoard(parts, { project: () => $("#upload-project").value, onChange });
}
