// "Gehört vermutlich zu: …": the projects a paper without one most likely belongs to, each
// with a button that links it. Asked for once the paper is read, and once per paper shown.
import { api, ApiError } from "./api.js";
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";

export class ProjectSuggestions {
  /** `root` shows them; `link(projectId, name, button)` links the paper, one click. */
  constructor(root, link) {
    this.root = root;
    this.link = link;
    this.forId = null; // the paper the suggestions are (being) asked for
    this.found = [];
  }

  /** Show the suggestions for `doc` (a document as the API gives it), if it needs any. */
  async update(doc) {
    const wanted = doc.status === "completed" && !doc.project_id;
    if (!wanted) {
      this.root.hidden = true;
      return;
    }
    if (this.forId === doc.id) {
      this.render();
      return;
    }
    this.forId = doc.id;
    this.found = [];
    try {
      const answer = await api.get(`/documents/${encodeURIComponent(doc.id)}/suggested-projects`);
      if (this.forId === doc.id) this.found = answer.data;
    } catch (error) {
      // Not read after all, or gone: nothing to suggest. Anything else: ask again next time.
      if (!(error instanceof ApiError && [404, 409].includes(error.status))) this.forId = null;
    }
    this.render();
  }

  /** Forget what was asked: another paper, or this one unlinked again. */
  reset() {
    this.forId = null;
    this.found = [];
    this.root.hidden = true;
  }

  render() {
    this.root.hidden = this.found.length === 0;
    fill(this.root,
      h("span", { class: "suggest-label" }, t("suggest.label")),
      h("ul", {}, this.found.map((project) => h("li", { "data-id": project.id },
        h("strong", {}, project.name), " ",
        h("button", {
          type: "button",
          "aria-label": t("suggest.linkTo", { name: project.name }),
          onclick: (event) => this.link(project.id, project.name, event.currentTarget),
        }, t("suggest.link"))))));
  }
}
