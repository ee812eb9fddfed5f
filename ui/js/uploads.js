// Uploading: drop or pick several files; each shows its upload progress, then its
// processing state live until it is completed or failed.
import { api, upload } from "./api.js";
import { openDocument } from "./document-detail.js";
import { docState } from "./docstate.js";
import { $, KeyedList, fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { describe } from "./notice.js";

const PARALLEL = 3; // uploads at the same time; the rest wait their turn
const FINAL = new Set(["completed", "failed"]);

const items = new Map(); // key -> {key, name, progress, doc, duplicate, error}
const waiting = []; // [item, file]
let sending = 0;
let counter = 0;
let list;
let changed = () => {};

function createItem(item) {
  const name = h("span", { class: "name" });
  const state = h("div", { class: "state" });
  const open = h("button", { type: "button", class: "small", hidden: true }, "");
  const li = h("li", { "data-upload": item.key }, name, state, open);
  li.parts_ = { name, state, open };
  return li;
}

function updateItem(li, item) {
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
    fill(state, docState(item.doc, changed),
      item.duplicate ? h("span", { class: "muted" }, t("docs.duplicate")) : null);
  }
  open.hidden = !item.doc;
  fill(open, t("common.open"));
  open.setAttribute("aria-label", `${t("common.open")}: ${item.name}`);
  open.onclick = () => item.doc && openDocument(item.doc.id, changed);
}

function render() {
  $("#uploads").hidden = items.size === 0;
  list.render([...items.values()]);
}

function add(files) {
  for (const file of files) {
    const item = { key: `u${++counter}`, name: file.name, progress: 0, doc: null, error: null };
    items.set(item.key, item);
    waiting.push([item, file]);
  }
  render();
  pump();
}

function pump() {
  while (sending < PARALLEL && waiting.length) {
    const [item, file] = waiting.shift();
    sending += 1;
    send(item, file).finally(() => {
      sending -= 1;
      pump();
    });
  }
}

async function send(item, file) {
  const project = $("#upload-project").value;
  try {
    const answer = await upload(file, project, (fraction) => {
      item.progress = fraction;
      render();
    });
    item.doc = answer;
    item.duplicate = answer.duplicate;
    changed();
  } catch (error) {
    item.error = error;
  }
  render();
}

/** Take fresh states from the list page; ask for the others that are still under way. */
export async function trackUploads(page) {
  const byId = new Map(page.map((doc) => [doc.id, doc]));
  const elsewhere = [];
  for (const item of items.values()) {
    if (!item.doc) continue;
    const fresh = byId.get(item.doc.id);
    if (fresh) item.doc = fresh;
    else if (!FINAL.has(item.doc.status)) elsewhere.push(item);
  }
  await Promise.all(elsewhere.map(async (item) => {
    const fresh = await api.get(`/documents/${item.doc.id}`).catch(() => null);
    if (fresh) item.doc = { ...fresh, searchable_text: null };
  }));
  if (items.size) render();
}

export function relabelUploads() {
  list.invalidate();
  render();
}

/** Wire the drop zone, the file picker and "hide finished"; `onChange` refreshes the list. */
export function initUploads(onChange) {
  changed = onChange;
  list = new KeyedList($("#upload-list"), {
    key: (item) => item.key,
    create: createItem,
    update: updateItem,
  });
  const zone = $("#dropzone");
  const input = $("#file-input");
  input.addEventListener("change", () => {
    add([...input.files]);
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
    add([...event.dataTransfer.files]);
  });
  $("#uploads-clear").addEventListener("click", () => {
    for (const [key, item] of items) {
      if (item.error || (item.doc && FINAL.has(item.doc.status))) items.delete(key);
    }
    render();
  });
}
