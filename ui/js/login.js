// The LAN-mode login: trade the password for a session cookie, then open the app.
import { $ } from "./dom.js";
import { t, translatePage } from "./i18n.js";

translatePage();
$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ password: $("#password").value }),
  });
  if (response.ok) {
    window.location.assign("/");
    return;
  }
  const error = $("#login-error");
  error.textContent = t("login.wrong");
  error.hidden = false;
});
