// The login page: the password in LAN mode; on this PC, the access key (the program opens
// the browser with it, so a person lands here only from an old bookmark or tab).
import { $ } from "./dom.js";
import { t, translatePage } from "./i18n.js";

let lanMode = true;

async function showMode() {
  const response = await fetch("/api/v1/auth/status");
  lanMode = response.ok ? (await response.json()).lan_mode : true;
  if (!lanMode) {
    $("#login-intro").dataset.i18n = "login.localIntro";
    $("#secret-label").dataset.i18n = "login.token";
    $("#secret").autocomplete = "off";
  }
  translatePage();
}

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const secret = $("#secret").value;
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(lanMode ? { password: secret } : { token: secret.trim() }),
  });
  if (response.ok) {
    window.location.assign("/");
    return;
  }
  const error = $("#login-error");
  error.textContent = t(response.status === 429 ? "login.wait" : lanMode ? "login.wrong" : "login.wrongToken");
  error.hidden = false;
});

showMode();
