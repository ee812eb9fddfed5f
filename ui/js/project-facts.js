// A project at a glance, where it is one row among others (similar jobs, search hits): its
// cost, its year, and the address of its page.
import { formatMoney, h } from "./dom.js";
import { t } from "./i18n.js";

/** The page of project `id`: "#project/<id>". */
export const projectHref = (id) => `#project/${encodeURIComponent(id)}`;

/** The final cost; else the estimate, marked as one; else "–". */
export function projectCost(project) {
  if (project.final_cost != null) return formatMoney(project.final_cost);
  if (project.estimated_cost == null) return "–";
  const estimated = h("span", { class: "muted" }, t("project.estimated"));
  return [formatMoney(project.estimated_cost), " ", estimated];
}

/** The year of the job: when it ended, else when it began, else when it was entered. */
export function projectYear(project) {
  const day = project.end_date || project.start_date || project.created_at;
  return day ? day.slice(0, 4) : "–";
}
