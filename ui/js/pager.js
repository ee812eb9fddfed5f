// Paging for long lists: "1–50 of 1000" with previous/next buttons.
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";

export class Pager {
  constructor(el, onChange, limit = 50) {
    Object.assign(this, { el, onChange, limit, offset: 0, count: 0 });
    this.label = h("span", { "aria-live": "polite" });
    this.prev = h("button", { type: "button", onclick: () => this.go(-1) });
    this.next = h("button", { type: "button", onclick: () => this.go(1) });
    fill(el, this.prev, this.label, this.next);
    this.relabel();
  }

  go(direction) {
    this.offset = Math.max(0, this.offset + direction * this.limit);
    this.onChange();
  }

  /** Back to the first page (after a filter changed). */
  reset() {
    this.offset = 0;
  }

  /** Show the total; steps back a page when the current one has become empty. */
  update(count) {
    this.count = count;
    if (this.offset >= count && this.offset > 0) {
      this.offset = Math.max(0, Math.floor((count - 1) / this.limit) * this.limit);
      this.onChange();
    }
    this.relabel();
  }

  relabel() {
    fill(this.prev, "‹ ", t("common.prev"));
    fill(this.next, t("common.next"), " ›");
    const from = this.count ? this.offset + 1 : 0;
    const to = Math.min(this.offset + this.limit, this.count);
    fill(this.label, t("common.range", { from, to, count: this.count }));
    this.prev.disabled = this.offset === 0;
    this.next.disabled = this.offset + this.limit >= this.count;
    this.el.hidden = this.count <= this.limit;
  }
}
