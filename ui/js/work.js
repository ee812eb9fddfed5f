// Aufgaben for people: the office's documents and projects by name in three groups,
// "In Arbeit", "Probleme" (each with what to do, a retry only where it helps) and
// "Erledigt heute" (the browser's local day), from GET /api/v1/work.
import { api, ApiError } from "./api.js";
import { openDocument } from "./document-detail.js";
import { docState, failureReason, retryDocument } from "./docstate.js";
import { $, KeyedList, fill, formatDate, formatTime, h } from "./dom.js";
import { t } from "./i18n.js";
import { act, showInline } from "./notice.js";
import { projectHref } from "./project-facts.js";

const GROUPS = { working: "working", problems: "problems", done: "done_today" };
const PROJECT_BADGE = { pending: "busy", indexed: "ok", failed: "bad" };
const lists = {};
let refreshNow = () => {};

/** The document as docstate.js reads it, from a work entry. */
const asDocument = (item) => ({
  id: item.id,
  status: item.state,
  stage: item.stage,
  page_current: item.page_current,
  page_total: item.page_total,
  error_code: item.error_code,
  error: item.reason,
  retryable: item.retryable,
});

/** The name, leading to the document's dialog or the project's page. */
function nameOf(item) {
  if (item.kind === "project") {
    return h("a", { href: projectHref(item.id), class: "name" }, item.name);
  }
  return h("button", {
    type: "button",
    class: "link name",
    onclick: () => openDocument(item.id, refreshNow),
  }, item.name);
}

function stateOf(item, group) {
  if (item.kind === "project") {
    return h("span", { class: `badge ${PROJECT_BADGE[item.state] ?? ""}` },
      t(`project.status.${item.state}`));
  }
  if (group === "problems") {
    return h("span", { class: "badge bad" }, t("doc.status.failed"));
  }
  return h("div", { class: "state" }, docState(asDocument(item), refreshNow, { retry: false }));
}

function reindex(item, button) {
  return act(button, () => api.post("/projects/reindex", { project_ids: [item.id] }),
    t("projects.reindexed")).then(refreshNow);
}

/** Why it failed, what to do, and a retry button where another try can help. */
function problemOf(item) {
  const retry = item.retryable ? h("button", {
    type: "button",
    class: "small",
    "aria-label": `${t(item.kind === "project" ? "projects.reindex" : "common.retry")}: ${item.name}`,
    onclick: (event) => (item.kind === "project"
      ? reindex(item, event.currentTarget)
      : retryDocument(asDocument(item), event.currentTarget, refreshNow)),
  }, t(item.kind === "project" ? "projects.reindex" : "common.retry")) : null;
  // A document's reason in the UI's short words for its code: the stored sentence may
  // already carry the advice that follows it.
  const reason = item.kind === "document" ? failureReason(asDocument(item)) : item.reason;
  return h("div", { class: "work-problem" },
    h("span", { class: "reason" }, reason ?? ""),
    item.todo ? h("span", { class: "todo" }, item.todo) : null,
    retry);
}

function whenOf(item, group) {
  if (group === "done") return t("work.finishedAt", { time: formatTime(item.at) });
  return formatDate(item.at);
}

function entry(group) {
  return {
    key: (item) => `${item.kind}:${item.id}`,
    create: (item) => h("li", { "data-kind": item.kind, "data-id": item.id }),
    update(li, item) {
      fill(li,
        h("div", { class: "work-head" },
          h("span", { class: "kind" }, t(`work.kind.${item.kind}`)),
          nameOf(item),
          stateOf(item, group),
          h("span", { class: "when muted" }, whenOf(item, group))),
        group === "problems" ? problemOf(item) : null);
    },
  };
}

function render(answer) {
  for (const [group, field] of Object.entries(GROUPS)) {
    const items = answer[field];
    const total = answer.counts[field];
    lists[group].render(items);
    fill($(`#work-${group}-count`), total ? `(${total})` : "");
    $(`#work-${group}-empty`).hidden = total > 0;
    const more = $(`#work-${group}-more`);
    more.hidden = total <= items.length;
    fill(more, t("work.more", { n: total - items.length }));
  }
}

/** Ask for the groups again and show them; errors go into the view's error box. */
export async function refreshWork() {
  try {
    // Today is the browser's day: its minutes ahead of UTC (getTimezoneOffset is behind).
    const answer = await api.get("/work", { utc_offset: -new Date().getTimezoneOffset() });
    render(answer);
    showInline($("#work-error"), null);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 0)) showInline($("#work-error"), error);
  }
}

export function initWork(onChange) {
  refreshNow = onChange;
  for (const group of Object.keys(GROUPS)) {
    lists[group] = new KeyedList($(`#work-${group}`), entry(group));
  }
}

export function relabelWork() {
  for (const list of Object.values(lists)) list.invalidate();
}
