// Messages for the person: short notices that fade, and errors that stay until closed.
import { ApiError } from "./api.js";
import { $, fill, h } from "./dom.js";
import { t } from "./i18n.js";

const NOTICE_MS = 6000;

function region() {
  return $("#notices");
}

function dismissButton(item) {
  return h("button", {
    type: "button",
    class: "icon",
    "aria-label": t("common.dismiss"),
    title: t("common.dismiss"),
    onclick: () => item.remove(),
  }, "×");
}

/** A passing confirmation ("Projekt gespeichert."), with an optional action beside it
 * (`{label, run}`: "Rückgängig" after a deletion); an offered action stays twice as long. */
export function notify(message, action = null) {
  const item = h("div", { class: "notice ok", role: "status" }, h("span", {}, message));
  if (action) {
    item.append(h("button", {
      type: "button",
      class: "small",
      onclick: async () => {
        item.remove();
        await action.run();
      },
    }, action.label));
  }
  item.append(dismissButton(item));
  region().append(item);
  setTimeout(() => item.remove(), action ? 2 * NOTICE_MS : NOTICE_MS);
}

/** An error as a sentence, with the appliance's own explanation below it, if it gave one. */
export function describe(error) {
  if (error instanceof ApiError) {
    const { title, detail } = error;
    return { title, detail: detail === title ? "" : detail };
  }
  return { title: t("error.script", { message: error?.message ?? String(error) }), detail: "" };
}

/** Render `error` into `el` (an inline error area), or clear it when `error` is null. */
export function showInline(el, error) {
  const { title, detail } = error ? describe(error) : { title: "", detail: "" };
  const shown = `${title}\n${detail}`;
  if (el.dataset.shown === shown) return; // polls repeat errors: announce each one once
  el.dataset.shown = shown;
  el.hidden = !error;
  fill(el, error ? h("strong", {}, title) : null,
    detail ? h("span", { class: "detail" }, detail) : null);
}

/** An error notice that stays until the person closes it. Connection errors are left to
 * the offline banner. */
export function showError(error) {
  if (error instanceof ApiError && error.status === 0) return;
  const { title, detail } = describe(error);
  const item = h("div", { class: "notice error", role: "alert" },
    h("span", {}, h("strong", {}, title), detail ? h("span", { class: "detail" }, detail) : null));
  item.append(dismissButton(item));
  region().append(item);
}

/** Run an action from a button: disable it meanwhile, report errors, notify success. */
export async function act(button, action, success) {
  if (button) button.disabled = true;
  try {
    const result = await action();
    if (success) notify(success);
    return result;
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}
