// Small pop-up menus: the header's "Mehr" (with "Beenden") and the "⋯" actions of a list
// row. A button opens a list of menu items; arrow keys move between them, Escape closes
// and gives the focus back to the button, a click elsewhere closes it (WAI-ARIA menu button).
import { h } from "./dom.js";

let openMenu = null; // the one open menu: {button, list}

const items = (list) => [...list.querySelectorAll("[role=menuitem]")].filter((item) => !item.hidden);

function close({ focus = false } = {}) {
  if (!openMenu) return;
  const { button, list } = openMenu;
  openMenu = null;
  list.hidden = true;
  button.setAttribute("aria-expanded", "false");
  if (focus) button.focus();
}

function open(button, list, which = "first") {
  close();
  list.hidden = false;
  button.setAttribute("aria-expanded", "true");
  openMenu = { button, list };
  const choices = items(list);
  (which === "last" ? choices.at(-1) : choices[0])?.focus();
}

function onListKey(event, list) {
  const choices = items(list);
  const at = choices.indexOf(document.activeElement);
  const move = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: choices.length - 1 }[event.key];
  if (move !== undefined) {
    event.preventDefault();
    choices[(move + choices.length) % choices.length]?.focus();
  } else if (event.key === "Escape") {
    event.preventDefault();
    close({ focus: true });
  } else if (event.key === "Tab") {
    close();
  }
}

/** Make `button` open `list` (an element with role="menu" holding role="menuitem" buttons). */
export function attachMenu(button, list) {
  button.setAttribute("aria-haspopup", "menu");
  button.setAttribute("aria-expanded", "false");
  list.hidden = true;
  button.addEventListener("click", () => {
    if (openMenu?.list === list) close();
    else open(button, list);
  });
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      open(button, list, event.key === "ArrowUp" ? "last" : "first");
    }
  });
  list.addEventListener("keydown", (event) => onListKey(event, list));
  // An item's own click handler runs first; then the menu closes, the focus back on its button.
  // (unless the item moved the focus on, e.g. into the dialog it opened).
  list.addEventListener("click", (event) => {
    if (!event.target.closest("[role=menuitem]")) return;
    const stayed = list.contains(document.activeElement) || document.activeElement === document.body;
    close({ focus: stayed });
  });
}

/** A menu item: a button with role="menuitem" (its click handler is set by the caller). */
export const menuItem = (attrs = {}) => h("button", { type: "button", role: "menuitem", tabindex: "-1", ...attrs });

/**
 * A row's "⋯" menu: returns the wrapper to put into the row's actions cell and its button
 * (whose aria-label the caller sets, e.g. "Aktionen: Bad Müller").
 */
export function rowMenu(...menuItems) {
  const button = h("button", { type: "button", class: "small menu-button" }, "⋯");
  const list = h("div", { class: "menu-list", role: "menu" }, menuItems);
  attachMenu(button, list);
  return { element: h("div", { class: "menu" }, button, list), button };
}

// A click outside the open menu closes it.
document.addEventListener("pointerdown", (event) => {
  if (openMenu && !openMenu.list.parentElement.contains(event.target)) close();
});
