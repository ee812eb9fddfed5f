// The API client: JSON in and out, errors as readable ApiErrors, and the connection state
// (every answer means "online", every network failure "offline").
import { has, lang, t } from "./i18n.js";

const TIMEOUT_MS = 15000;

/** An API call that did not succeed; `status` 0 means the appliance was not reachable. */
export class ApiError extends Error {
  constructor(status, detail, fields = [], code = "") {
    super(detail || "");
    Object.assign(this, { status, detail, fields, code });
  }

  /** A sentence for a person, in the UI's language: the real reason where the answer
   *  names one (a refused upload's code: empty, unsupported, ...), else the status's. */
  get title() {
    if (this.status === 0) return t("error.network");
    if (this.code && has(`doc.error.${this.code}`)) return t(`doc.error.${this.code}`);
    const key = `error.${this.status}`;
    const known = ["400", "404", "409", "413", "415", "422", "500", "503"];
    return known.includes(String(this.status)) ? t(key) : t("error.other", this);
  }
}

/** `connection.online` is true, false, or null before the first answer; fires "change". */
export const connection = Object.assign(new EventTarget(), { online: null });

function setOnline(online) {
  if (connection.online === online) return;
  connection.online = online;
  connection.dispatchEvent(new Event("change"));
}

/** Turn an error body into (sentence, field errors): {"detail": "..."} or FastAPI's 422. */
function parseError(status, text) {
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    return new ApiError(status, "");
  }
  const detail = body?.detail;
  if (Array.isArray(detail)) {
    const fields = detail.map((d) => ({
      field: Array.isArray(d.loc) ? String(d.loc[d.loc.length - 1]) : "",
      message: String(d.msg ?? ""),
      type: String(d.type ?? ""),
    }));
    return new ApiError(status, fields.map((f) => `${f.field}: ${f.message}`).join("; "), fields);
  }
  // A refused upload names its reason in `code` (the file's), other errors in `error_code`.
  const code = String(body?.code ?? body?.error_code ?? "");
  return new ApiError(status, typeof detail === "string" ? detail : "", [], code);
}

/** Messages in the API's answers come in the UI's language, not the browser's. */
const languageHeader = () => ({ "Accept-Language": lang() });

function url(path, query) {
  const target = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(name, value);
  }
  return target;
}

/**
 * One request. Statuses in `accept` count as answers (the health check's 503 carries a
 * body worth showing); everything else not 2xx throws an ApiError.
 */
export async function request(method, path, { query, body, accept = [] } = {}) {
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers: body === undefined
        ? languageHeader()
        : { ...languageHeader(), "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    setOnline(false);
    throw new ApiError(0, "");
  }
  setOnline(true);
  if (response.status === 401) {
    // Not (or no longer) logged in: the login page says how to get in.
    window.location.assign("/login.html");
  }
  const text = await response.text();
  if (!response.ok && !accept.includes(response.status)) throw parseError(response.status, text);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, "");
  }
}

export const api = {
  get: (path, query, options) => request("GET", path, { query, ...options }),
  post: (path, body, query) => request("POST", path, { body, query }),
  patch: (path, body) => request("PATCH", path, { body }),
  del: (path) => request("DELETE", path),
};

/**
 * Upload one file with progress (fetch cannot report upload progress, XHR can).
 * Resolves with the answer (201 new, 200 duplicate); rejects with an ApiError.
 */
export function upload(file, projectId, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    if (projectId) form.append("project_id", projectId);
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url("/documents/upload"));
    xhr.setRequestHeader("Accept-Language", lang());
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      setOnline(true);
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText));
        } catch {
          reject(new ApiError(xhr.status, ""));
        }
      } else {
        reject(parseError(xhr.status, xhr.responseText));
      }
    });
    xhr.addEventListener("error", () => {
      setOnline(false);
      reject(new ApiError(0, ""));
    });
    xhr.send(form);
  });
}
