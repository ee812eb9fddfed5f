// Project names for the document views (the project column and the project pickers).
import { api } from "./api.js";
import { h } from "./dom.js";

const PAGE = 500; // the API's largest page
const FRESH_MS = 30000;
let names = new Map();
let loadedAt = -Infinity;

/** id -> name of every project, reloaded when older than `maxAge` ms. The same Map comes
 * back until a reload, so callers can tell by identity whether names changed. */
export async function projectNames(maxAge = FRESH_MS) {
  if (performance.now() - loadedAt < maxAge) return names;
  const loaded = new Map();
  for (let offset = 0; ; offset += PAGE) {
    const page = await api.get("/projects/", { sort: "name", limit: PAGE, offset });
    for (const project of page.data) loaded.set(project.id, project.name);
    if (offset + PAGE >= page.count) break;
  }
  names = loaded;
  loadedAt = performance.now();
  return names;
}

/** Put the projects into `select` after its first (empty) option, keeping the choice. */
const filled = new WeakMap(); // select -> the map it shows, to skip needless rebuilds

export function fillProjectSelect(select, projects) {
  if (filled.get(select) === projects) return;
  filled.set(select, projects);
  const chosen = select.value;
  const first = select.options[0];
  select.replaceChildren(first, ...[...projects].map(([id, name]) => h("option", { value: id }, name)));
  select.value = projects.has(chosen) ? chosen : "";
}

/** Mark the cache old, e.g. after a project was created or deleted. */
export function forgetProjectNames() {
  loadedAt = -Infinity;
}
