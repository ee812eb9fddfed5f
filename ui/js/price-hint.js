// The price hint ("Kalkulationshilfe"): what the completed jobs most like this one cost,
// as a range and a median, with the jobs it rests on. Shown on the project page (for the
// stored job) and in the project form (for what is typed, before it is saved).
import { api, ApiError } from "./api.js";
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { formatEuro, formatWholeEuro } from "./money.js";
import { showInline } from "./notice.js";

// Below this many jobs a range says little: the hint says so.
const FEW = 4;

/** What the completed jobs most like stored project `id` cost (409 while not indexed). */
export const hintForProject = (id) => api.get(`/projects/${encodeURIComponent(id)}/price-hint`);

/** What the completed jobs most like a job not saved yet cost. */
export const hintForDraft = (draft) => api.post("/projects/price-hint", draft);

function headline(answer) {
  if (answer.based_on === 0) return t("priceHint.none");
  if (answer.based_on === 1) return t("priceHint.one", { cost: formatEuro(answer.median) });
  return t("priceHint.range", {
    low: formatWholeEuro(answer.low),
    high: formatWholeEuro(answer.high),
    median: formatWholeEuro(answer.median),
  });
}

function jobItem(job, linkTarget) {
  const link = h("a", { href: `#project/${encodeURIComponent(job.id)}`, target: linkTarget },
    job.name);
  return h("li", { "data-id": job.id }, link, " ", h("span", { class: "num" },
    formatEuro(job.final_cost)));
}

/**
 * A hint box below `root`'s heading: a message (.hint-text), a caution (.hint-caution),
 * the jobs (.hint-jobs) and an error area. `linkTarget` "_blank" in the form, whose
 * typing must not be lost by following a link.
 */
export class PriceHintBox {
  constructor(root, { linkTarget } = {}) {
    this.root = root;
    this.linkTarget = linkTarget;
    root.append(
      h("p", { class: "hint-text", role: "status" }),
      h("p", { class: "hint-caution", hidden: true }),
      h("ul", { class: "hint-jobs", "data-i18n-aria-label": "priceHint.jobs",
        "aria-label": t("priceHint.jobs"), hidden: true }),
      h("div", { class: "error-box", role: "alert", hidden: true }),
    );
    this.answer = null;
    this.waitingKey = null; // the message shown while there is no answer
  }

  /** Show a message instead of a hint ("erscheint, sobald …"). */
  waiting(key) {
    this.answer = null;
    this.waitingKey = key;
    this.render();
  }

  show(answer) {
    this.answer = answer;
    this.waitingKey = null;
    this.render();
  }

  /** Show what went wrong; a lost connection is the offline banner's to say. */
  failed(error) {
    if (error instanceof ApiError && error.status === 0) return;
    showInline(this.part(".error-box"), error);
  }

  part(selector) {
    return this.root.querySelector(selector);
  }

  render() {
    const answer = this.answer;
    showInline(this.part(".error-box"), null);
    fill(this.part(".hint-text"), answer ? headline(answer) : t(this.waitingKey ?? "priceHint.none"));
    const caution = this.part(".hint-caution");
    caution.hidden = !answer || answer.based_on === 0 || answer.based_on >= FEW;
    fill(caution, caution.hidden ? "" : t("priceHint.few", { n: answer.based_on }));
    const jobs = this.part(".hint-jobs");
    jobs.hidden = !answer?.based_on;
    fill(jobs, (answer?.similar ?? []).map((job) => jobItem(job, this.linkTarget)));
  }
}
