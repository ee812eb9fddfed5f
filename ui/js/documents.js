// Dokumente: the paged list with filters, live processing states, and full-text search.
import { api, ApiError } from "./api.js";
import { initDocumentDetail, openDocument } from "./document-detail.js";
import { docState } from "./docstate.js";
import { $, KeyedList, fill, formatBytes, formatDate, h } from "./dom.js";
import { t } from "./i18n.js";
import { levelBadge, matchNote, splitByLevel } from "./matches.js";
import { showInline } from "./notice.js";
import { Pager } from "./pager.js";
import { poller } from "./poll.js";
import { fillProjectSelect, projectNames } from "./project-names.js";
import { initUploads, relabelUploads, showUploadTarget, trackUploads } from "./uploads.js";

let list;
let pager;
let projects = new Map();
let search = null; // the last search answer, while one is shown
const loop = poller(refresh);

const filters = () => ({
  status: $("#doc-status").value,
  project_id: $("#doc-project").value,
  type: $("#doc-type").value,
});

function createRow(doc) {
  const open = h("button", {
    type: "button",
    class: "link",
    onclick: () => openDocument(doc.id, loop.now),
  });
  const cells = {
    name: h("td", {}, open),
    type: h("td"),
    size: h("td", { class: "num" }),
    project: h("td"),
    state: h("div", { class: "state" }),
    created: h("td"),
  };
  const row = h("tr", { "data-id": doc.id }, cells.name, cells.type, cells.size, cells.project,
    h("td", {}, cells.state), cells.created);
  row.parts_ = { ...cells, open };
  return row;
}

function updateRow(row, doc) {
  const c = row.parts_;
  fill(c.open, doc.original_name);
  fill(c.type, t(`doc.type.${doc.file_type}`));
  fill(c.size, formatBytes(doc.size_bytes));
  fill(c.project, doc.project_id ? projects.get(doc.project_id) ?? "…" : "–");
  fill(c.state, docState(doc, loop.now));
  fill(c.created, formatDate(doc.created_at));
}

async function refresh() {
  try {
    const query = { ...filters(), limit: pager.limit, offset: pager.offset };
    const page = await api.get("/documents/", query);
    // A project created a moment ago is not in the cached names yet: reload them soon.
    const unknown = page.data.some((doc) => doc.project_id && !projects.has(doc.project_id));
    const names = await projectNames(unknown ? 5000 : undefined);
    if (names !== projects) {
      projects = names;
      list.invalidate();
      fillProjectSelect($("#doc-project"), projects);
      fillProjectSelect($("#upload-project"), projects);
      showUploadTarget();
    }
    list.render(page.data);
    pager.update(page.count);
    $("#doc-empty").hidden = page.count > 0;
    await trackUploads(page.data);
    showInline($("#doc-error"), null);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 0)) showInline($("#doc-error"), error);
  }
}

// --- full-text search ---------------------------------------------------------------

/** A snippet from the server as text nodes, its hits as <mark>: never parsed as HTML. */
function snippet(parts) {
  return h("p", { class: "snippet" }, parts.map((p) => (p.hit ? h("mark", {}, p.text) : p.text)));
}

function resultItem(doc) {
  return h("li", {},
    h("button", { type: "button", class: "link", onclick: () => openDocument(doc.id, loop.now) },
      doc.original_name),
    " ", h("span", { class: "muted" }, t(`doc.type.${doc.file_type}`)),
    doc.project_id ? h("span", { class: "muted" }, ` · ${projects.get(doc.project_id) ?? ""}`) : null,
    " ", levelBadge(doc), " ", matchNote(doc),
    snippet(doc.snippet_parts));
}

function renderSearch() {
  const panel = $("#doc-results");
  panel.hidden = !search;
  $("#doc-search-reset").hidden = !search;
  if (!search) return;
  const { query, data } = search;
  const { fitting, weak } = splitByLevel(data);
  const shown = search.showWeak ? [...fitting, ...weak] : fitting;
  const title = fitting.length ? "docs.results" : "docs.noResults";
  fill($("#doc-results-title"), t(title, { count: fitting.length, q: query }));
  const items = shown.map(resultItem);
  if (weak.length && !search.showWeak) {
    items.push(h("li", {}, h("button", { type: "button", class: "link", onclick: () => {
      search = { ...search, showWeak: true };
      renderSearch();
    } }, t("match.showWeak", { n: weak.length }))));
  }
  fill($("#doc-result-list"), items);
}

async function runSearch() {
  const q = $("#doc-q").value.trim();
  if (!q) return clearSearch();
  try {
    search = await api.get("/documents/search", { q, project_id: filters().project_id, limit: 50 });
    showInline($("#doc-error"), null);
  } catch (error) {
    search = null;
    showInline($("#doc-error"), error);
  }
  renderSearch();
}

function clearSearch() {
  search = null;
  $("#doc-q").value = "";
  renderSearch();
}

export const documentsView = {
  init() {
    list = new KeyedList($("#doc-rows"), { create: createRow, update: updateRow });
    pager = new Pager($("#doc-pager"), loop.now);
    for (const id of ["#doc-status", "#doc-project", "#doc-type"]) {
      $(id).addEventListener("change", () => {
        pager.reset();
        loop.now();
        if (search && id === "#doc-project") runSearch();
      });
    }
    $("#doc-search").addEventListener("submit", (event) => {
      event.preventDefault();
      runSearch();
    });
    $("#doc-search-reset").addEventListener("click", clearSearch);
    initUploads(loop.now);
    initDocumentDetail();
  },
  show: () => loop.start(),
  hide: () => loop.stop(),
  relabel() {
    list.invalidate();
    pager.relabel();
    renderSearch();
    relabelUploads();
    loop.now();
  },
};
