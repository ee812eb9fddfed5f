// Finding projects by words and meaning: the search box's results, and a project's similar
// past jobs (the dialog waits, polling, while the project is not indexed yet). Each hit says
// how well it fits and which words matched; what hardly fits stays hidden until asked for.
// Each row leads to the project's page and shows its cost and year.
import { api } from "./api.js";
import { $, fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { levelBadge, markedExcerpt, matchNote, splitByLevel } from "./matches.js";
import { showInline } from "./notice.js";
import { poller } from "./poll.js";
import { projectCost, projectHref, projectYear } from "./project-facts.js";

const COLUMNS = 7; // name, trade, city, phase, cost, year, fit

let query = null; // the last search by meaning and its answer
let similarOf = null; // the project whose similar jobs the dialog shows
let similar = null;
let showWeak = { meaning: false, similar: false }; // the hits below the cut-off, shown?
const similarLoop = poller(loadSimilar);

function scoredRow(project) {
  return h("tr", { "data-id": project.id },
    h("td", {},
      h("a", { href: projectHref(project.id) },
        h("strong", {}, markedExcerpt(project.name, project.match.words))),
      h("div", { class: "excerpt" }, markedExcerpt(project.description, project.match.words)),
      matchNote(project)),
    h("td", {}, project.trade ?? "–"),
    h("td", {}, project.city ?? "–"),
    h("td", {}, t(`phase.${project.phase}`)),
    h("td", { class: "num" }, projectCost(project)),
    h("td", {}, projectYear(project)),
    h("td", {}, levelBadge(project)));
}

/** Rows of the hits that fit, then a button for the weak ones (or the weak ones), for a
 * table with the columns of COLUMNS; `onShowWeak` runs when the button is pressed. */
export function scoredRows(hits, { weakShown, onShowWeak, noneKey }) {
  const { fitting, weak } = splitByLevel(hits);
  const rows = fitting.map(scoredRow);
  if (!fitting.length) {
    rows.push(h("tr", {}, h("td", { colspan: COLUMNS, class: "message" }, t(noneKey))));
  }
  if (weak.length && weakShown) rows.push(...weak.map(scoredRow));
  if (weak.length && !weakShown) {
    const more = h("button", { type: "button", class: "link", onclick: onShowWeak },
      t("match.showWeak", { n: weak.length }));
    rows.push(h("tr", {}, h("td", { colspan: COLUMNS }, more)));
  }
  return rows;
}

/** The rows of one of this module's lists: "meaning" or "similar". */
function rowsOf(which, hits, noneKey) {
  const onShowWeak = () => {
    showWeak = { ...showWeak, [which]: true };
    relabelProjectSearch();
  };
  return scoredRows(hits, { weakShown: showWeak[which], onShowWeak, noneKey });
}

function renderMeaning() {
  $("#meaning-results").hidden = !query;
  if (!query?.answer) return;
  const { text, answer } = query;
  fill($("#meaning-title"), t("projects.meaningResults", { q: text }));
  fill($("#meaning-rows"), rowsOf("meaning", answer.data, "projects.noneFitting"));
}

async function searchByMeaning(event) {
  event.preventDefault();
  const text = $("#meaning-q").value.trim();
  if (!text) return;
  const button = event.submitter;
  if (button) button.disabled = true;
  try {
    const answer = await api.post("/projects/search", { query: text, limit: 20 });
    query = { text, answer };
    showWeak = { ...showWeak, meaning: false };
    showInline($("#meaning-error"), null);
  } catch (error) {
    query = { text, answer: null };
    fill($("#meaning-title"), text);
    fill($("#meaning-rows"));
    showInline($("#meaning-error"), error);
  } finally {
    if (button) button.disabled = false;
  }
  renderMeaning();
}

async function loadSimilar() {
  if (!similarOf) return;
  try {
    similar = await api.get(`/projects/${similarOf.id}/similar`, { limit: 10 });
    similarLoop.stop();
    showInline($("#similar-error"), null);
  } catch (error) {
    similar = null;
    if (error.status === 409) {
      $("#similar-message").hidden = false; // not indexed yet: keep asking every second
    } else if (error.status !== 0) {
      similarLoop.stop();
      showInline($("#similar-error"), error);
    }
  }
  renderSimilar();
}

function renderSimilar() {
  if (!similarOf) return;
  fill($("#similar-title"), t("projects.similarTitle", { name: similarOf.name }));
  const message = $("#similar-message");
  if (similar) {
    message.hidden = similar.count > 0;
    fill(message, t("projects.noneFound"));
  } else {
    fill(message, t("projects.similarPending"));
  }
  $("#similar-table").hidden = !similar?.count;
  fill($("#similar-rows"), rowsOf("similar", similar?.data ?? [], "projects.noneSimilar"));
}

/** Show the past jobs most similar to `project`. */
export function openSimilar(project) {
  similarOf = project;
  similar = null;
  showWeak = { ...showWeak, similar: false };
  $("#similar-message").hidden = true;
  showInline($("#similar-error"), null);
  renderSimilar();
  $("#similar-dialog").showModal();
  similarLoop.start();
}

export function relabelProjectSearch() {
  renderMeaning();
  renderSimilar();
}

/** Wire the search box and the dialog (once, at start). */
export function initProjectSearch() {
  $("#meaning-form").addEventListener("submit", searchByMeaning);
  $("#meaning-close").addEventListener("click", () => {
    query = null;
    renderMeaning();
  });
  const dialog = $("#similar-dialog");
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  dialog.addEventListener("close", () => {
    similarLoop.stop();
    similarOf = null;
  });
}
