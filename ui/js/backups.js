// Datensicherung: when the last backup ran, where to and how big, "Jetzt sichern", the
// latest archive to download; and the warning every view shows when backups fall behind.
import { api, ApiError } from "./api.js";
import { $, KeyedList, fill, formatBytes, formatDate, h } from "./dom.js";
import { t, tOr } from "./i18n.js";
import { act, notify, showError, showInline } from "./notice.js";
import { poller } from "./poll.js";

const STATE_BADGE = { running: "busy", done: "ok", failed: "bad" };
const BANNER_INTERVAL_MS = 60000;
let status = null; // the last answer of GET /backups/
let rows;
let knownBefore = null; // ids of the backups listed when "Jetzt sichern" was pressed
const viewLoop = poller(refresh);
const bannerLoop = poller(refresh, BANNER_INTERVAL_MS);

const badge = (state) => h("span", { class: `badge ${STATE_BADGE[state] ?? ""}` },
  t(`backup.state.${state}`));

async function refresh() {
  try {
    status = await api.get("/backups/");
    showInline($("#backup-error"), null);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 0)) showInline($("#backup-error"), error);
    return;
  }
  renderBanner();
  renderView();
  reportFinished();
}

/** The warning above every view: no backup, an old one, a failed one, one with problems. */
function renderBanner() {
  const warning = status?.warning;
  $("#backup-warning").hidden = !warning;
  if (!warning) return;
  const key = warning === "stale" && !status.last_good ? "none" : warning;
  fill($("#backup-warning-text"), t(`backup.warn.${key}`, {
    date: formatDate(status.last_good?.started_at),
  }));
}

function renderView() {
  if (!status) return;
  const { last, last_good: good } = status;
  $("#backup-note").hidden = status.supported;
  fill($("#backup-note"), status.note ?? "");
  $("#backup-now").disabled = !status.supported;
  $("#backup-same-disk").hidden = !status.supported || !status.same_disk;
  $("#backup-download").hidden = !good?.path;
  fill($("#backup-last"), last ? formatDate(last.started_at) : t("backups.never"));
  fill($("#backup-result"), last ? [badge(last.state), last.error
    ? h("span", { class: "reason" }, " ", last.error) : null] : "–");
  fill($("#backup-target"), status.target_dir);
  fill($("#backup-size"), formatBytes(good?.size_bytes));
  fill($("#backup-keep"), t("backups.keepText", { count: status.keep }));
  const running = status.history.some((b) => b.state === "running");
  fill($("#backup-now"), t(running ? "backups.running" : "backups.now"));
  rows.render(status.history);
  $("#backup-empty").hidden = status.history.length > 0;
}

/** After "Jetzt sichern": say once how it ended (the first new backup that finished). */
function reportFinished() {
  if (!knownBefore || !status) return;
  const finished = status.history.find((b) => !knownBefore.has(b.id) && b.state !== "running");
  if (!finished) return;
  knownBefore = null;
  if (finished.state === "done") notify(t("backups.finished"));
  else showError(new Error(`${t("backups.failedNotice")} ${finished.error ?? ""}`));
}

async function backUpNow(button) {
  const before = new Set((status?.history ?? []).map((b) => b.id));
  const answer = await act(button, () => api.post("/backups/"), t("backups.started"));
  if (answer) knownBefore = before;
  viewLoop.now();
}

function buildRows() {
  rows = new KeyedList($("#backup-rows"), {
    key: (backup) => backup.id,
    create(backup) {
      const cells = [h("td"), h("td"), h("td"), h("td", { class: "num" }), h("td")];
      const row = h("tr", { "data-id": backup.id }, cells);
      row.cells_ = cells;
      return row;
    },
    update(row, backup) {
      const [started, state, reason, size, file] = row.cells_;
      fill(started, formatDate(backup.started_at));
      fill(state, badge(backup.state));
      fill(reason, tOr(`backup.reason.${backup.reason}`, backup.reason));
      fill(size, formatBytes(backup.size_bytes));
      fill(file, backup.error
        ? h("span", { class: "reason" }, backup.error)
        : h("code", {}, backup.path ?? "–"));
    },
  });
}

/** The banner's check runs in every view (once a minute; every second in this one). */
export const backupBanner = {
  start: () => bannerLoop.start(),
  stop: () => bannerLoop.stop(),
  relabel: () => renderBanner(),
};

export const backupsView = {
  init() {
    buildRows();
    $("#backup-now").addEventListener("click", (event) => backUpNow(event.currentTarget));
  },
  show: () => viewLoop.start(),
  hide: () => viewLoop.stop(),
  relabel() {
    rows.invalidate();
    renderBanner();
    renderView();
  },
};
