// Aufgaben: the office's work for people (work.js) on top; below, folded away under
// "Technik", the task monitor: health, queue statistics, workers, running and waiting
// tasks, failures with retry and the recent history. Each part is refreshed every second,
// the monitor only while it is unfolded (it asks nine questions a round).
import { api, ApiError } from "./api.js";
import { $, KeyedList, fill, formatDate, formatSeconds, formatTime, h, shortId } from "./dom.js";
import { locale, t, tOr } from "./i18n.js";
import { act, notify, showInline } from "./notice.js";
import { poller } from "./poll.js";
import { initWork, refreshWork, relabelWork } from "./work.js";

const STATE_BADGE = {
  PENDING: "", STARTED: "busy", RETRY: "warn", SUCCESS: "ok", FAILURE: "bad", REVOKED: "warn",
};
const loop = poller(refresh);
const workLoop = poller(() => Promise.all([refreshWork(), refreshModelChange()]));
const TECH_KEY = "handwerkml.tech"; // whether "Technik" was left unfolded
let shown = false;
const tables = {};
let waitingCount = 0; // queued and scheduled tasks, as the last refresh counted them

/** "Dokument verarbeiten: Angebot Keller.pdf": the task's name, and what it is about. */
const readable = (task) => {
  const name = tOr(`task.name.${task.task_name}`, task.task_name);
  return task.subject ? `${name}: ${task.subject}` : name;
};
const taskName = (task) => h("span", { title: task.task_name }, readable(task));
const idCell = (task) => h("code", { title: task.task_id }, shortId(task.task_id));
const stateBadge = (state) =>
  h("span", { class: `badge ${STATE_BADGE[state] ?? ""}` }, t(`task.state.${state}`));
const seconds = (from, to) => (from && to ? (new Date(to) - new Date(from)) / 1000 : null);

/**
 * A table of tasks updated in place. `columns` turn a row's item into cell content;
 * `action` ({key, run}) adds a button that keeps its focus across updates; with
 * `offered(item)` false the button is hidden and the text `instead` says why.
 */
function taskTable(tbody, columns, { key = (item) => item.task_id, action, numeric = [] } = {}) {
  return new KeyedList($(tbody), {
    key,
    create(item) {
      const cells = columns.map((_, i) => h("td", { class: numeric.includes(i) ? "num" : undefined }));
      const button = action ? h("button", { type: "button", class: "small" }) : null;
      const instead = action ? h("span", { class: "muted" }) : null;
      const actions = button ? h("td", { class: "row-actions" }, button, instead) : null;
      const row = h("tr", { "data-id": key(item) }, cells, actions);
      row.parts_ = { cells, button, instead };
      return row;
    },
    update(row, item) {
      row.parts_.cells.forEach((cell, i) => fill(cell, columns[i](item)));
      const { button, instead } = row.parts_;
      if (!button) return;
      const offered = !action.offered || action.offered(item);
      button.hidden = !offered;
      fill(instead, offered ? null : t(action.instead));
      fill(button, t(action.key));
      button.setAttribute("aria-label", `${t(action.key)}: ${readable(item)}`);
      button.onclick = (event) => action.run(item, event.currentTarget);
    },
  });
}

function revoke(task, button) {
  act(button, () => api.post(`/tasks/task/${task.task_id}/revoke`), t("tasks.revoked")).then(loop.now);
}

function stop(task, button) {
  if (!confirm(t("tasks.confirmStop", { name: readable(task) }))) return;
  act(button, () => api.post(`/tasks/task/${task.task_id}/revoke`, undefined, { terminate: true }),
    t("tasks.revoked")).then(loop.now);
}

/** Drop every waiting task (as `appliance purge`), after a confirmation with the count. */
async function purge(button) {
  if (!waitingCount) {
    notify(t("tasks.nothingToPurge"));
    return;
  }
  if (!confirm(t("tasks.confirmPurge", { count: waitingCount }))) return;
  const answer = await act(button, () => api.post("/tasks/purge"));
  if (answer) notify(t("tasks.purged", { count: answer.purged }));
  loop.now();
}

function retry(task, button) {
  act(button, () => api.post(`/tasks/task/${task.task_id}/retry`), t("tasks.retried")).then(loop.now);
}

function buildTables() {
  tables.workers = taskTable("#worker-rows", [
    (w) => h("strong", { class: "nowrap" }, w.name),
    (w) => w.queue,
    (w) => h("span", { class: `badge ${w.status === "online" ? "ok" : "bad"}` }, t(`tasks.${w.status}`)),
    (w) => (w.current_task ? taskName(w.current_task) : h("span", { class: "muted" }, t("tasks.idle"))),
    (w) => w.tasks_done,
    (w) => formatTime(w.last_heartbeat),
  ], { key: (w) => w.name, numeric: [4] });
  tables.active = taskTable("#active-rows", [
    (task) => [taskName(task), " ", idCell(task)],
    (task) => task.worker,
    (task) => formatSeconds(task.runtime),
  ], { action: { key: "tasks.stop", run: stop }, numeric: [2] });
  tables.waiting = taskTable("#waiting-rows", [
    taskName,
    idCell,
    (task) => [stateBadge(task.status), task.next_retry_at ? h("span", { class: "muted" }, " ",
      t("tasks.nextRetry", { time: formatDate(task.next_retry_at) })) : null],
    (task) => formatDate(task.enqueued_at),
    (task) => task.attempts,
  ], { action: { key: "tasks.revoke", run: revoke }, numeric: [4] });
  tables.failed = taskTable("#failed-rows", [
    taskName,
    idCell,
    (task) => formatDate(task.finished_at),
    (task) => task.attempts,
    (task) => h("span", { class: "reason" }, task.error ?? ""),
  ], {
    // A file that cannot be read fails the same way again: no retry for its task.
    action: { key: "tasks.retry", run: retry, offered: (task) => task.retryable, instead: "tasks.noRetry" },
    numeric: [3],
  });
  tables.history = taskTable("#history-rows", [
    taskName,
    idCell,
    (task) => stateBadge(task.status),
    (task) => task.worker ?? "–",
    (task) => formatDate(task.enqueued_at),
    (task) => formatSeconds(seconds(task.started_at, task.finished_at)),
    (task) => task.attempts,
  ], { numeric: [5, 6] });
}

function renderStats(summary, health, queue) {
  const healthy = health.status === "healthy";
  $("#stat-health-card").className = `card health ${healthy ? "ok" : "bad"}`;
  fill($("#stat-health"), t(healthy ? "health.healthy" : "health.unhealthy"));
  fill($("#stat-problems"), (health.problems ?? []).join("; "));
  const values = {
    workers: `${summary.workers.active} / ${summary.workers.total}`,
    active: summary.tasks.active,
    reserved: summary.tasks.reserved,
    scheduled: summary.tasks.scheduled,
    depth: queue.queue_depth ?? "–",
    succeeded: summary.tasks.succeeded,
    failed: summary.tasks.failed,
    revoked: summary.tasks.revoked,
  };
  for (const [name, value] of Object.entries(values)) fill($(`#stat-${name}`), value);
}

/** While a new search model's vectors are built: how far they are, or that they are stuck. */
function renderModelChange(searchModel) {
  const change = searchModel.change;
  const box = $("#model-change");
  box.hidden = !change;
  if (!change) return;
  const count = (n) => Number(n).toLocaleString(locale());
  const key = change.state === "stuck" ? "tasks.modelStuck" : "tasks.modelBuilding";
  fill($("#model-change-text"), t(key, {
    projects: count(change.projects_done),
    projectsTotal: count(change.projects_total),
    papers: count(change.documents_done),
    papersTotal: count(change.documents_total),
  }));
  box.classList.toggle("stuck", change.state === "stuck");
  const total = change.projects_total + change.documents_total;
  const progress = $("#model-change-progress");
  progress.max = Math.max(total, 1);
  progress.value = change.projects_done + change.documents_done;
}

/** The search model's change is news for everyone: shown above the groups, not in Technik. */
async function refreshModelChange() {
  try {
    renderModelChange(await api.get("/system/search-model"));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 0)) showInline($("#work-error"), error);
  }
}

function renderList(name, tasks) {
  tables[name].render(tasks);
  const empty = $(`#${name}-empty`);
  if (empty) empty.hidden = tasks.length > 0;
}

async function refresh() {
  try {
    const [summary, health, queue, workers, active, waiting, failed, history] = await Promise.all([
      api.get("/tasks/summary"),
      api.get("/tasks/health", {}, { accept: [503] }),
      api.get("/tasks/queue/stats"),
      api.get("/tasks/workers/stats"),
      api.get("/tasks/tasks/active"),
      api.get("/tasks/tasks", { state: "PENDING,RETRY", limit: 50 }),
      api.get("/tasks/tasks", { state: "FAILURE", limit: 20 }),
      api.get("/tasks/tasks", { limit: 20 }),
    ]);
    renderStats(summary, health, queue);
    waitingCount = summary.tasks.reserved + summary.tasks.scheduled;
    // The running tasks are the ledger's word; a worker's heartbeat may lag behind them.
    const running = new Map(active.active_tasks.map((task) => [task.worker, task]));
    const workerRows = Object.entries(workers.workers).map(([name, w]) => (
      { name, ...w, current_task: running.get(name) ?? null }));
    renderList("workers", workerRows.sort((a, b) => a.name.localeCompare(b.name)));
    renderList("active", active.active_tasks);
    renderList("waiting", waiting.tasks);
    renderList("failed", failed.tasks);
    renderList("history", history.tasks);
    showInline($("#task-error"), null);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 0)) showInline($("#task-error"), error);
  }
}

/** The monitor's loop runs while the view is shown and "Technik" is unfolded. */
function followTech() {
  const tech = $("#tech");
  localStorage.setItem(TECH_KEY, tech.open ? "open" : "closed");
  if (shown && tech.open) loop.start();
  else loop.stop();
}

export const tasksView = {
  init() {
    buildTables();
    initWork(() => {
      workLoop.now();
      if ($("#tech").open) loop.now();
    });
    $("#tasks-purge").addEventListener("click", (event) => purge(event.currentTarget));
    const tech = $("#tech");
    tech.open = localStorage.getItem(TECH_KEY) === "open";
    tech.addEventListener("toggle", followTech);
  },
  show() {
    shown = true;
    workLoop.start();
    followTech();
  },
  hide() {
    shown = false;
    workLoop.stop();
    loop.stop();
  },
  relabel() {
    for (const table of Object.values(tables)) table.invalidate();
    relabelWork();
    workLoop.now();
    if ($("#tech").open) loop.now();
  },
};
