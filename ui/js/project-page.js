// A project's own page (#project/<id>): what is known about the job, read-only ("Bearbeiten"
// opens the project form), its documents with their live states and an upload into it, and
// the similar past jobs, each leading to its own page.
import { api, ApiError } from "./api.js";
import { openDocument } from "./document-detail.js";
import { docState } from "./docstate.js";
import { $, KeyedList, fill, formatDate, formatDay, formatMoney, h } from "./dom.js";
import { t } from "./i18n.js";
import { showInline } from "./notice.js";
import { Pager } from "./pager.js";
import { poller } from "./poll.js";
import { hintForProject, PriceHintBox } from "./price-hint.js";
import { openProjectForm } from "./project-form.js";
import { forgetProjectNames } from "./project-names.js";
import { scoredRows } from "./project-search.js";
import { projectStatus } from "./projects.js";
import { UploadBoard } from "./uploads.js";

const SIMILAR = 10;

let projectId = null; // from the address; "" when it names none
let project = null; // the last answer for it; null while loading or when it does not exist
let missing = false;
let similar = null; // {indexedAt, answer}: the hits for the project as it was indexed then
let weakShown = false;
let shownFacts = null; // what the facts and the similar list show, to skip needless redraws
let shownSimilar = null;
let hint; // the price hint's box
let hinted = null; // what the hint shows: "pending", or the indexed_at it was asked for
let docs;
let pager;
let board;
const loop = poller(refresh);

/** What is known about the job, in pairs (two to a line on the page). */
function facts(p) {
  return [
    ["phase", "field.phase", t(`phase.${p.phase}`)],
    ["status", "projects.filterStatus", projectStatus(p)],
    ["customer", "field.customer", p.customer],
    ["trade", "field.trade", p.trade],
    ["address", "field.address", p.address],
    ["city", "field.city", p.city],
    ["estimated_cost", "projectPage.estimatedCost", formatMoney(p.estimated_cost)],
    ["final_cost", "projectPage.finalCost", formatMoney(p.final_cost)],
    ["start_date", "field.start_date", formatDay(p.start_date)],
    ["end_date", "field.end_date", formatDay(p.end_date)],
  ];
}

function renderFacts() {
  const sig = JSON.stringify([missing, project]);
  if (sig === shownFacts) return;
  shownFacts = sig;
  $("#page-missing").hidden = !missing;
  $("#page-body").hidden = missing || !project;
  $("#page-edit").hidden = !project;
  if (missing) fill($("#page-title"), t("projectPage.missingTitle"));
  if (!project) return;
  fill($("#page-title"), project.name);
  fill($("#page-meta"), facts(project).map(([field, key, value]) => [
    h("dt", {}, t(key)),
    h("dd", { "data-field": field }, value || "–"),
  ]));
  // The description is the person's own text: shown as written, never read as markup.
  $("#page-description").textContent = project.description || t("projectPage.noDescription");
}

function createDocRow(doc) {
  const open = h("button", {
    type: "button",
    class: "link",
    onclick: () => openDocument(doc.id, loop.now),
  });
  const cells = { type: h("td"), state: h("div", { class: "state" }), created: h("td") };
  const row = h("tr", { "data-id": doc.id }, h("td", {}, open), cells.type,
    h("td", {}, cells.state), cells.created);
  row.parts_ = { ...cells, open };
  return row;
}

function updateDocRow(row, doc) {
  const c = row.parts_;
  fill(c.open, doc.original_name);
  fill(c.type, t(`doc.type.${doc.file_type}`));
  fill(c.state, docState(doc, loop.now));
  fill(c.created, formatDate(doc.created_at));
}

/** The similar jobs once the project is indexed, asked for again after it was re-indexed. */
async function loadSimilar(id) {
  if (project?.status !== "indexed" || similar?.indexedAt === project.indexed_at) return;
  const indexedAt = project.indexed_at;
  try {
    const answer = await api.get(`/projects/${encodeURIComponent(id)}/similar`, { limit: SIMILAR });
    if (id === projectId) similar = { indexedAt, answer };
    showInline($("#page-similar-error"), null);
  } catch (error) {
    // 409: no vector for the current model yet (during a change of model): wait as before.
    if (error instanceof ApiError && error.status === 409) similar = { indexedAt, answer: null };
    else if (!(error instanceof ApiError && error.status === 0)) {
      showInline($("#page-similar-error"), error);
    }
  }
}

/** The price hint once the project is indexed, asked for again after it was re-indexed. */
async function loadHint(id) {
  if (project?.status !== "indexed") {
    if (hinted !== "pending") hint.waiting("priceHint.pending");
    hinted = "pending";
    return;
  }
  const indexedAt = project.indexed_at;
  if (hinted === indexedAt) return;
  try {
    const answer = await hintForProject(id);
    if (id !== projectId) return;
    hinted = indexedAt;
    hint.show(answer);
  } catch (error) {
    if (id !== projectId) return;
    // 409: no vector for the current model yet (during a change of model): wait as before.
    if (error instanceof ApiError && error.status === 409) {
      hinted = indexedAt;
      hint.waiting("priceHint.pending");
    } else hint.failed(error);
  }
}

function renderSimilar() {
  const ready = project?.status === "indexed" && similar?.indexedAt === project.indexed_at
    ? similar.answer
    : null;
  const sig = [ready, weakShown];
  if (shownSimilar && sig.every((part, i) => part === shownSimilar[i])) return;
  shownSimilar = sig;
  const message = $("#page-similar-message");
  message.hidden = Boolean(ready?.count);
  fill(message, t(ready ? "projects.noneFound" : "projectPage.similarPending"));
  $("#page-similar-table").hidden = !ready?.count;
  const onShowWeak = () => {
    weakShown = true;
    renderSimilar();
  };
  fill($("#page-similar-rows"),
    ready ? scoredRows(ready.data, { weakShown, onShowWeak, noneKey: "projects.noneSimilar" }) : []);
}

async function refresh() {
  const id = projectId;
  if (!id) {
    missing = true;
    renderFacts();
    return;
  }
  try {
    const [fresh, page] = await Promise.all([
      api.get(`/projects/${encodeURIComponent(id)}`),
      api.get("/documents/", { project_id: id, limit: pager.limit, offset: pager.offset }),
    ]);
    if (id !== projectId) return; // another project was opened meanwhile
    project = fresh;
    missing = false;
    await Promise.all([loadSimilar(id), loadHint(id)]);
    renderFacts();
    renderSimilar();
    docs.render(page.data);
    pager.update(page.count);
    $("#page-doc-empty").hidden = page.count > 0;
    await board.track(page.data);
    showInline($("#page-error"), null);
  } catch (error) {
    if (id !== projectId) return;
    if (error instanceof ApiError && error.status === 404) {
      // Deleted, or never there: say so, and stop asking.
      project = null;
      missing = true;
      renderFacts();
      showInline($("#page-error"), null);
      loop.stop();
    } else if (!(error instanceof ApiError && error.status === 0)) {
      showInline($("#page-error"), error);
    }
  }
}

/** Another project's page: nothing of the last one may show, not even for a moment. */
function switchTo(id) {
  projectId = id;
  project = null;
  missing = false;
  weakShown = false;
  shownFacts = null;
  shownSimilar = null;
  hinted = null;
  hint.waiting("priceHint.pending");
  fill($("#page-title"));
  showInline($("#page-error"), null);
  showInline($("#page-similar-error"), null);
  pager.reset();
  docs.render([]);
  board.forgetAll();
  renderFacts();
}

function edit() {
  if (!project) return;
  openProjectForm(project, (saved) => {
    forgetProjectNames();
    if (saved?.id === projectId) {
      project = saved;
      hinted = null; // its phase or cost may have changed what counts
      renderFacts();
      renderSimilar();
    }
    loop.now();
  });
}

export const projectPage = {
  init() {
    docs = new KeyedList($("#page-doc-rows"), { create: createDocRow, update: updateDocRow });
    pager = new Pager($("#page-doc-pager"), loop.now);
    const parts = {
      zone: $("#page-dropzone"),
      input: $("#page-file-input"),
      panel: $("#page-uploads"),
      list: $("#page-upload-list"),
      clear: $("#page-uploads-clear"),
    };
    board = new UploadBoard(parts, { project: () => projectId, onChange: loop.now });
    hint = new PriceHintBox($("#page-hint"));
    $("#page-edit").addEventListener("click", edit);
  },
  /** Show project `id` (the part of the address after "#project/"). */
  show(id = projectId) {
    if (id !== projectId) switchTo(id);
    similar = null; // other jobs may have come or changed since: asked for anew
    hinted = null;
    loop.start();
  },
  hide: () => loop.stop(),
  relabel() {
    shownFacts = null;
    shownSimilar = null;
    renderFacts();
    renderSimilar();
    hint.render();
    docs.invalidate();
    pager.relabel();
    board.relabel();
    loop.now();
  },
};
