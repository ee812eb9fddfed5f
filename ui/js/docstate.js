// A document's processing state as a person reads it: badge, stage, page n of m, reason.
import { api } from "./api.js";
import { h } from "./dom.js";
import { has, t } from "./i18n.js";
import { act } from "./notice.js";

const BADGE = { pending: "", processing: "busy", completed: "ok", failed: "bad" };

/** Why processing failed: the translated code, else the appliance's own sentence. */
export function failureReason(doc) {
  const key = `doc.error.${doc.error_code}`;
  return doc.error_code && has(key) ? t(key) : doc.error || "";
}

/** What to do about a failure another try cannot help (a damaged file, a password), or "". */
export function failureHint(doc) {
  const key = `doc.hint.${doc.error_code}`;
  return !doc.retryable && doc.error_code && has(key) ? t(key) : "";
}

/** Ask for another attempt at a failed document; `done` runs after the request. */
export function retryDocument(doc, button, done) {
  return act(button, () => api.post(`/documents/${doc.id}/retry`), t("docs.retried")).then(done);
}

/**
 * The state cell: children for an element of class "state". A failure that another try
 * may help gets the "Erneut versuchen" button, unless `retry` is false (where another part
 * of the page offers it: the dialog's own button, the list row below an upload); one that
 * cannot be helped says what to do instead.
 */
export function docState(doc, done, { retry = true } = {}) {
  const badge = h("span", { class: `badge ${BADGE[doc.status] ?? ""}` }, t(`doc.status.${doc.status}`));
  const parts = [badge];
  // A completed paper is found by its words already; its meaning is still being read.
  const embedding = doc.status === "completed" && doc.stage === "embedding";
  if (doc.status === "pending" || doc.status === "processing" || embedding) {
    parts.push(h("span", {}, t(`doc.stage.${doc.stage}`)));
  }
  if ((doc.status === "processing" || embedding) && doc.page_total > 0) {
    const key = embedding ? "docs.chunk" : "docs.page";
    const page = t(key, { n: doc.page_current, m: doc.page_total });
    parts.push(
      h("progress", { max: doc.page_total, value: doc.page_current, "aria-label": page }),
      h("span", { class: "muted" }, page),
    );
  }
  if (doc.status === "failed" && doc.retryable && retry) {
    parts.push(h("button", {
      type: "button",
      class: "small",
      onclick: (event) => retryDocument(doc, event.currentTarget, done),
    }, t("common.retry")));
  }
  if (doc.status === "failed") {
    const hint = failureHint(doc);
    parts.push(h("span", { class: "reason" }, failureReason(doc),
      hint ? [" ", h("span", { class: "hint" }, hint)] : null));
  }
  return parts.flatMap((part, i) => (i ? [" ", part] : [part])); // spaces for screen readers
}
