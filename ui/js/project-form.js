// Create or edit a project in a dialog. Field errors from the API appear at their fields.
import { api, ApiError } from "./api.js";
import { dateText, readDate } from "./dates.js";
import { $, debounce, fill, h } from "./dom.js";
import { has, t } from "./i18n.js";
import { amountText, formatEuro, readAmount } from "./money.js";
import { notify, showInline } from "./notice.js";
import { hintForDraft, PriceHintBox } from "./price-hint.js";
import { projectHref } from "./project-facts.js";

const FIELDS = [
  "name", "customer", "trade", "address", "city", "phase",
  "estimated_cost", "final_cost", "start_date", "end_date", "description",
];
const TEXTS = ["name", "description"]; // never null; an empty name is the API's to refuse
// Amounts and days are typed the German way and read here (money.js, dates.js): what was
// understood shows in the field's note, and a refusal keeps the form from being sent.
// Amounts go out as exact decimal strings ("14200.50"), days as ISO days.
const AMOUNT = { read: readAmount, show: amountText, understood: (v) => `= ${formatEuro(v)}` };
const DAY = { read: readDate, show: dateText, understood: () => "" };
const READ = { estimated_cost: AMOUNT, final_cost: AMOUNT, start_date: DAY, end_date: DAY };
// Pydantic error types with a sentence of our own; others show the API's message.
const ERROR_TYPES = {
  missing: "form.required",
  string_too_short: "form.required",
  string_too_long: "form.tooLong",
  greater_than_equal: "form.negative",
  less_than_equal: "form.tooLarge",
  float_type: "form.number",
  money_type: "form.number",
  money_format: "form.number",
  money_negative: "form.negative",
  money_too_large: "form.tooLarge",
  money_places: "form.decimals",
};

let editing = null; // the project being edited, or null for a new one
let saved = () => {};
let hint; // the price hint for what is typed
let hintAsked = 0; // the latest question: an answer to an older one is dropped

const input = (field) => $(`#pf-${field}`);
const note = (field) => $(`#pf-${field}-note`);

function markInvalid(el, invalid) {
  el.classList.toggle("invalid", invalid);
  if (invalid) el.setAttribute("aria-invalid", "true");
  else el.removeAttribute("aria-invalid");
}

/** Read a field typed the German way; its note says what was understood, or why not. */
function readField(field) {
  const reader = READ[field];
  const result = reader.read(input(field).value);
  const refused = Boolean(result.error);
  const understood = result.value ? reader.understood(result.value) : "";
  note(field).classList.toggle("bad", refused);
  fill(note(field), refused ? t(result.error, result.params) : understood);
  markInvalid(input(field), refused);
  return result;
}

/** The request body, and the fields refused before sending (none: it can go). */
function values() {
  const body = {};
  const refused = [];
  for (const field of FIELDS) {
    const value = input(field).value.trim();
    if (field in READ) {
      const result = readField(field);
      if (result.error) refused.push(field);
      body[field] = result.value ?? null;
    } else if (value === "" && !TEXTS.includes(field)) body[field] = null;
    else body[field] = value;
  }
  return { body, refused };
}

function describedBy(field, error) {
  const ids = [field in READ ? note(field).id : null, error?.id].filter(Boolean);
  if (ids.length) input(field).setAttribute("aria-describedby", ids.join(" "));
  else input(field).removeAttribute("aria-describedby");
}

function clearFieldErrors() {
  for (const el of document.querySelectorAll("#project-form .field-error")) el.remove();
  for (const field of FIELDS) {
    markInvalid(input(field), false);
    describedBy(field, null);
  }
}

function showFieldErrors(fields) {
  let first = null;
  for (const { field, message, type } of fields) {
    const el = FIELDS.includes(field) ? input(field) : null;
    if (!el) continue;
    const key = ERROR_TYPES[type];
    const error = h("span", { class: "field-error", id: `pf-${field}-error` },
      key && has(key) ? t(key) : message);
    markInvalid(el, true);
    describedBy(field, error);
    el.after(error);
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
  const { body, refused } = values();
  if (refused.length) {
    showInline($("#project-form-error"), new ApiError(422, "")); // as the API would say
    input(refused[0]).focus();
    return;
  }
  button.disabled = true;
  try {
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

let twinAsked = 0;

/** A project of the same name exists already: said below the name (saving stays allowed:
 * two jobs for one customer may well share a name, but usually it is the same job twice). */
async function warnOfTwin() {
  const asked = ++twinAsked;
  const note = $("#pf-name-twin");
  const name = input("name").value.trim();
  let twins = [];
  if (name) {
    try {
      const answer = await api.get("/projects/", { name, limit: 3 });
      twins = answer.data.filter((project) => project.id !== editing?.id);
    } catch {
      twins = []; // a warning is a nicety: the form works without it
    }
  }
  if (asked !== twinAsked) return;
  note.hidden = twins.length === 0;
  fill(note, twins.length ? [t("projects.twin"), " ", twins.flatMap((project, i) => [
    i ? ", " : "",
    h("a", { href: projectHref(project.id), target: "_blank" }, project.name),
  ])] : "");
}

/** Ask what similar completed jobs cost, for the job as typed so far. */
async function askHint() {
  const asked = ++hintAsked;
  const draft = {
    name: input("name").value.trim(),
    trade: input("trade").value.trim() || null,
    description: input("description").value.trim(),
    project_id: editing?.id ?? null,
  };
  if (!draft.name && !draft.description) {
    hint.waiting("priceHint.draft");
    return;
  }
  try {
    const answer = await hintForDraft(draft);
    if (asked === hintAsked) hint.show(answer);
  } catch (error) {
    if (asked === hintAsked) hint.failed(error);
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
    if (field in READ) {
      input(field).value = READ[field].show(value);
      readField(field);
    } else input(field).value = value ?? (field === "phase" ? "angefragt" : "");
  }
  hint.waiting("priceHint.draft");
  askHint();
  warnOfTwin();
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
  for (const field of Object.keys(READ)) {
    input(field).addEventListener("input", () => readField(field));
  }
  hint = new PriceHintBox($("#pf-hint"), { linkTarget: "_blank" });
  const typed = debounce(askHint, 600);
  for (const field of ["name", "trade", "description"]) input(field).addEventListener("input", typed);
  input("name").addEventListener("input", debounce(warnOfTwin, 400));
  document.addEventListener("langchange", () => {
    const title = t(editing ? "projects.formEdit" : "projects.formNew");
    if (!dialog.open) return;
    fill($("#project-form-title"), title);
    hint.render();
    warnOfTwin();
    for (const field of Object.keys(READ)) readField(field);
  });
}
