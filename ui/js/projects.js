// Projekte: the paged list with filters, create/edit/delete, similar jobs, search by meaning.
import { api, ApiError } from "./api.js";
import { $, KeyedList, debounce, fill, formatMoney, h } from "./dom.js";
import { t, tOr, translatePage } from "./i18n.js";
import { menuItem, rowMenu } from "./menu.js";
import { act, notify, showError, showInline } from "./notice.js";
import { Pager } from "./pager.js";
import { poller } from "./poll.js";
import { projectHref } from "./project-facts.js";
import { initProjectForm, openProjectForm } from "./project-form.js";
import { forgetProjectNames } from "./project-names.js";
import { initProjectSearch, openSimilar, relabelProjectSearch } from "./project-search.js";
import { undoDelete } from "./trash.js";

export const PHASES = ["angefragt", "angeboten", "beauftragt", "abgeschlossen"];
const STATUS_BADGE = { pending: "busy", indexed: "ok", failed: "bad" };

let list;
let pager;
let shown = []; // the projects of the last list answer
const loop = poller(refresh);

/** The index state of a project: "Wird erfasst …" until its embedding is stored. */
export function projectStatus(project) {
  const error = project.embedding_error;
  return h("span", {
    class: `badge ${STATUS_BADGE[project.status] ?? ""}`,
    title: error ? tOr(`project.error.${error}`, error) : undefined,
  }, t(`project.status.${project.status}`));
}

async function reindex(project, button) {
  await act(button, () => api.post("/projects/reindex", { project_ids: [project.id] }),
    t("projects.reindexed"));
  changed();
}

function filters() {
  return {
    q: $("#project-q").value.trim(),
    trade: $("#project-trade").value.trim(),
    phase: $("#project-phase").value,
    city: $("#project-city").value.trim(),
    status: $("#project-status").value,
    sort: $("#project-sort").value,
  };
}

function changed() {
  forgetProjectNames();
  loop.now();
}

/** The question before a project is deleted: it names how many documents lose their link. */
function deleteQuestion(name, count) {
  if (!count) return t("projects.confirmDelete", { name });
  return count === 1 ? t("links.confirmDeleteOne", { name })
    : t("links.confirmDeleteMany", { name, count });
}

function deletedText(count) {
  if (!count) return t("projects.deleted");
  return count === 1 ? t("links.deletedOne") : t("links.deletedMany", { count });
}

async function remove(project, button) {
  let linked;
  try {
    ({ count: linked } = await api.get("/documents/", { project_id: project.id, limit: 1 }));
  } catch (error) {
    showError(error);
    return;
  }
  if (!confirm(deleteQuestion(project.name, linked))) return;
  const answer = await act(button, () => api.del(`/projects/${project.id}`));
  if (answer) {
    notify(deletedText(answer.documents_unlinked), undoDelete("project", project.id, changed));
  }
  changed();
}

// A shop mostly works in one trade: on a small screen its column gives way to the others.
const CELL_CLASS = { cost: "num", trade: "wide-only", phase: "word" };

// The row's actions sit in a "⋯" menu: four buttons side by side made the list wider
// than a small screen.
function createRow(project) {
  const buttons = {
    reindex: menuItem(),
    edit: menuItem(),
    similar: menuItem(),
    remove: menuItem({ class: "danger" }),
  };
  const menu = rowMenu(buttons.reindex, buttons.edit, buttons.similar, buttons.remove);
  const cells = ["name", "customer", "trade", "city", "phase", "cost", "status"]
    .map((name) => [name, h("td", { class: CELL_CLASS[name] })]);
  const row = h("tr", { "data-id": project.id }, cells.map(([, td]) => td),
    h("td", { class: "row-actions" }, menu.element));
  row.parts_ = { ...Object.fromEntries(cells), ...buttons, menu: menu.button };
  return row;
}

function updateRow(row, project) {
  const p = row.parts_;
  fill(p.name, h("a", { href: projectHref(project.id) }, h("strong", {}, project.name)));
  fill(p.customer, project.customer ?? "–");
  fill(p.trade, project.trade ?? "–");
  fill(p.city, project.city ?? "–");
  fill(p.phase, t(`phase.${project.phase}`));
  fill(p.cost, formatMoney(project.estimated_cost));
  fill(p.status, projectStatus(project));
  const label = (key) => `${t(key)}: ${project.name}`;
  p.menu.setAttribute("aria-label", t("common.rowActions", { name: project.name }));
  p.menu.title = t("common.actions");
  // A project whose indexing failed (or was dropped from the queue) can be started again.
  p.reindex.hidden = project.status !== "failed";
  for (const [name, key, action] of [
    ["reindex", "projects.reindex", (event) => reindex(project, event.currentTarget)],
    ["edit", "projects.edit", () => openProjectForm(project, changed)],
    ["similar", "projects.similar", () => openSimilar(project)],
    ["remove", "common.delete", (event) => remove(project, event.currentTarget)],
  ]) {
    fill(p[name], t(key));
    p[name].setAttribute("aria-label", label(key));
    p[name].onclick = action;
  }
}

/** The new project at once, as the server answered (pending), then the list anew. */
function showCreated(project) {
  if (project) list.render([project, ...shown.filter((p) => p.id !== project.id)]);
  changed();
}

async function refresh() {
  try {
    const page = await api.get("/projects/", { ...filters(), limit: pager.limit, offset: pager.offset });
    shown = page.data;
    list.render(shown);
    pager.update(page.count);
    $("#project-empty").hidden = page.count > 0;
    showInline($("#project-error"), null);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 0)) showInline($("#project-error"), error);
  }
}

function fillPhases() {
  for (const select of document.querySelectorAll("select.phases")) {
    const options = PHASES.map((phase) => h("option", { value: phase, "data-i18n": `phase.${phase}` }));
    select.append(...options);
    translatePage(select);
  }
}

export const projectsView = {
  init() {
    fillPhases();
    list = new KeyedList($("#project-rows"), { create: createRow, update: updateRow });
    pager = new Pager($("#project-pager"), loop.now);
    const filtered = () => {
      pager.reset();
      loop.now();
    };
    const typed = debounce(filtered, 300);
    for (const id of ["#project-q", "#project-trade", "#project-city"]) {
      $(id).addEventListener("input", typed);
    }
    for (const id of ["#project-phase", "#project-status", "#project-sort"]) {
      $(id).addEventListener("change", filtered);
    }
    $("#project-new").addEventListener("click", () => openProjectForm(null, showCreated));
    initProjectForm();
    initProjectSearch();
  },
  show: () => loop.start(),
  hide: () => loop.stop(),
  relabel() {
    list.invalidate();
    pager.relabel();
    relabelProjectSearch();
    loop.now();
  },
};
