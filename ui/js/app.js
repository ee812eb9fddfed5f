// The page: navigation between the four views (and a project's page), language, connection
// state.
import { api, connection } from "./api.js";
import { backupBanner, backupsView } from "./backups.js";
import { $, fill } from "./dom.js";
import { documentsView } from "./documents.js";
import { lang, setLang, t, translatePage } from "./i18n.js";
import { attachMenu } from "./menu.js";
import { notify, showError } from "./notice.js";
import { poller } from "./poll.js";
import { projectPage } from "./project-page.js";
import { projectsView } from "./projects.js";
import { tasksView } from "./tasks.js";
import { trashView } from "./trash.js";

const views = {
  documents: documentsView, projects: projectsView, tasks: tasksView, backups: backupsView,
  project: projectPage, trash: trashView,
};
// A view without a link of its own lights up its parent's: a project's page is in "Projekte".
const NAV = { project: "projects" };
let current = null;
let param = null; // the address after the view's name: "#project/<id>" -> "<id>"

/** "#project/abc" -> ["project", "abc"]; an unknown view is the documents view. */
function parseHash() {
  const [name, ...rest] = location.hash.slice(1).split("/");
  if (!(name in views)) return ["documents", ""];
  try {
    return [name, decodeURIComponent(rest.join("/"))];
  } catch {
    return [name, rest.join("/")]; // a stray "%" in a typed address: taken as written
  }
}

function route() {
  const [name, wanted] = parseHash();
  if (current === views[name] && param === wanted) return;
  const switching = current !== null;
  // A dialog belongs to the view it was opened in (a similar job's link leaves it).
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  if (current !== views[name]) current?.hide();
  const nav = NAV[name] ?? name;
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    if (link.dataset.view === nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  for (const [key, view] of Object.entries(views)) $(`#view-${key}`).hidden = key !== name;
  current = views[name];
  param = wanted;
  current.show(param);
  // After a switch, keyboard and screen reader users continue at the new view's heading.
  if (switching) $(`#view-${name} h1`).focus({ preventScroll: true });
}

// The header pill: health and workers, every second; it also notices a stopped appliance.
let health = null;

function renderHealth() {
  const pill = $("#conn");
  if (connection.online === false) {
    pill.className = "pill bad";
    fill(pill, t("conn.offline"));
  } else if (health) {
    const healthy = health.status === "healthy";
    pill.className = healthy ? "pill ok" : "pill bad";
    fill(pill, t("conn.status", {
      health: t(healthy ? "health.healthy" : "health.unhealthy"),
      workers: health.workers,
    }));
  }
}

const healthLoop = poller(async () => {
  try {
    health = await api.get("/tasks/health", {}, { accept: [503] });
  } finally {
    renderHealth();
  }
});

connection.addEventListener("change", () => {
  $("#offline").hidden = connection.online !== false;
  // What the views show is from before the connection was lost: grey it out until it is back.
  document.body.classList.toggle("offline", connection.online === false);
  renderHealth();
  if (connection.online && health) notify(t("conn.back"));
});

function start() {
  translatePage();
  const select = $("#lang");
  select.value = lang();
  select.addEventListener("change", () => setLang(select.value));
  document.addEventListener("langchange", () => {
    renderHealth();
    backupBanner.relabel();
    for (const view of Object.values(views)) view.relabel();
  });
  for (const view of Object.values(views)) view.init();
  window.addEventListener("hashchange", route);
  route();
  healthLoop.start();
  backupBanner.start();
  showLanMode();
  attachMenu($("#app-menu"), $("#app-menu-list"));
  $("#quit").addEventListener("click", quit);
  $("#to-trash").addEventListener("click", () => {
    location.hash = "#trash";
  });
  // "Zum Inhalt springen" moves the focus to the view's heading; following its "#main"
  // would change the address, which names the view, and leave the page shown.
  $(".skip").addEventListener("click", (event) => {
    event.preventDefault();
    $(`#view-${parseHash()[0]} h1`).focus();
  });
  // Polling pauses while the tab is hidden and catches up at once when it is shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      healthLoop.stop();
      backupBanner.stop();
      current?.hide();
    } else {
      healthLoop.start();
      backupBanner.start();
      current?.show(param);
    }
  });
  // A file dropped beside the drop zone must not make the browser leave the app.
  for (const type of ["dragover", "drop"]) window.addEventListener(type, (e) => e.preventDefault());
}

// LAN mode: other PCs can reach the appliance; say so where everyone sees it.
async function showLanMode() {
  const info = await api.get("/system/info");
  const badge = $("#lan");
  badge.hidden = !info.lan_mode;
  // The certificate's fingerprint, for comparing with what the browser shows on other PCs.
  badge.title = info.tls_fingerprint ? t("lan.fingerprint", { fingerprint: info.tls_fingerprint }) : "";
}

// "Beenden": stop the appliance from the page (there may be no console window to close).
// The question says how to start it again: a person may take "Beenden" for "log out".
async function quit() {
  if (!window.confirm(t("app.quitConfirm"))) return;
  await api.post("/system/shutdown");
  healthLoop.stop();
  notify(t("app.stopped"));
}

// A bug in the UI shows a message instead of a dead page.
window.addEventListener("error", (event) => showError(event.error ?? new Error(event.message)));
window.addEventListener("unhandledrejection", (event) => showError(event.reason));

start();
