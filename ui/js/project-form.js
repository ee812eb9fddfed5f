// Create or edit a project in a dialog. Field errors from the API appear at their fields.
import { api, ApiError } from "./api.js";
import { $, fill, h } from "./dom.js";
import { has, t } from "./i18n.js";
import { notify, showInline } from "./notice.js";

const FIELDS = [
  "name", "customer", "trade", "address", "city", "phase",
  "estimated_cost", "final_cost", "start_date", "end_date", "description",
];
const TEXTS = ["name", "description"]; // never null; an empty name is the API's to refuse
const AMOUNTS = ["estimated_cost", "final_cost"]; // sent as JSON numbers (euros, cents kept)
// Pydantic error types with a sentence of our own; others show the API's message.
const ERROR_TYPES = {
  missing: "form.required",
  string_too_short: "form.required",
  string_too_long: "form.tooLong",
  greater_than_equal: "form.negative",
  less_than_equal: "form.tooLarge",
  float_type: "form.number",
};

let editing = null; // the project being edited, or null for a new one
let saved = () => {};

const input = (field) => $(`#pf-${field}`);

function values() {
  const body = {};
  for (const field of FIELDS) {
    const value = input(field).value.trim();
    if (value === "" && !TEXTS.includes(field)) body[field] = null;
    else if (AMOUNTS.includes(field)) body[field] = Number(value.replace(",", "."));
    else body[field] = value;
  }
  return body;
}

function clearFieldErrors() {
  for (const el of document.querySelectorAll("#project-form .field-error")) el.remove();
  for (const field of FIELDS) {
    input(field).classList.remove("invalid");
    input(field).removeAttribute("aria-invalid");
    input(field).removeAttribute("aria-describedby");
  }
}

function showFieldErrors(fields) {
  let first = null;
  for (const { field, message, type } of fields) {
    const el = FIELDS.includes(field) ? input(field) : null;
    if (!el) continue;
    const key = ERROR_TYPES[type];
    const note = h("span", { class: "field-error", id: `pf-${field}-error` },
      key && has(key) ? t(key) : message);
    el.classList.add("invalid");
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", note.id);
    el.after(note);
    first ??= el;
  }
  first?.focus();
}

/** The form's summary names only the problems not shown at a field. */
function withoutFieldDetails(error) {
  if (!(error instanceof ApiError) || !error.fields.length) return error;
  const elsewhere = error.fields.filter((f) => !FIELDS.includes(f.field));
  return new ApiError(error.status, elsewhere.map((f) => `${f.field}: ${f.message}`).join("; "));
}

async function submit(event) {
  event.preventDefault();
  clearFieldErrors();
  showInline($("#project-form-error"), null);
  const button = event.submitter ?? $("#project-form button[type=submit]");
  button.disabled = true;
  try {
    const body = values();
    const answer = editing
      ? await api.patch(`/projects/${editing.id}`, body)
      : await api.post("/projects/", body);
    notify(t(editing ? "projects.saved" : "projects.created"));
    $("#project-dialog").close();
    saved(answer);
  } catch (error) {
    showInline($("#project-form-error"), withoutFieldDetails(error));
    if (error instanceof ApiError) showFieldErrors(error.fields);
  } finally {
    button.disabled = false;
  }
}

/** Open the form for `project` (edit) or for a new project (null). */
export function openProjectForm(project, onSaved = () => {}) {
  editing = project;
  saved = onSaved;
  clearFieldErrors();
  showInline($("#project-form-error"), null);
  fill($("#project-form-title"), t(project ? "projects.formEdit" : "projects.formNew"));
  for (const field of FIELDS) {
    const value = project?.[field];
    input(field).value = value ?? (field === "phase" ? "angefragt" : "");
  }
  $("#project-dialog").showModal();
  input("name").focus();
}

/** Wire the form (once, at start). */
export function initProjectForm() {
  const dialog = $("#project-dialog");
  $("#project-form").addEventListener("submit", submit);
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  document.addEventListener("langchange", () => {
    const title = t(editing ? "projects.formEdit" : "projects.formNew");
    if (dialog.open) fill($("#project-form-title"), title);
  });
}
