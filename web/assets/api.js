// Trough's page helpers: JSON calls with the CSRF token, error display, login guard.
(function () {
  "use strict";
  const CSRF_KEY = "trough.csrf";

  /** Calls the API; resolves to the JSON body (or null), rejects with the API's error message. */
  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") {
      const csrf = sessionStorage.getItem(CSRF_KEY);
      if (csrf) headers["X-CSRF-Token"] = csrf;
    }
    const response = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    if (data && data.csrf_token) sessionStorage.setItem(CSRF_KEY, data.csrf_token);
    if (!response.ok) {
      let message = (data && data.error && data.error.message) || ("Request failed (" + response.status + ")");
      if (response.status === 429 && response.headers.get("Retry-After")) {
        message += " Try again in " + response.headers.get("Retry-After") + " seconds.";
      }
      const error = new Error(message);
      error.status = response.status;
      error.type = data && data.error ? data.error.type : "unknown";
      throw error;
    }
    return data;
  }

  /** Shows an error in the container's `.error` element (or clears it with null). */
  function showError(container, error) {
    const box = container.querySelector(".error");
    if (box) box.textContent = error ? error.message : "";
    if (box && error) box.focus();
  }

  /** The signed-in user, or a redirect to the login page. */
  async function requireLogin() {
    try {
      return await api("GET", "/api/me");
    } catch (error) {
      if (error.status === 401) {
        location.href = "/login.html?next=" + encodeURIComponent(location.pathname + location.search);
        return new Promise(function () {});
      }
      throw error;
    }
  }

  function qs(name) { return new URLSearchParams(location.search).get(name); }

  /** Where to go after signing in: a same-site path only. */
  function nextPath(fallback) {
    const next = qs("next");
    return next && next.startsWith("/") && !next.startsWith("//") ? next : fallback;
  }

  function el(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function when(iso) { return iso ? new Date(iso).toLocaleString() : "—"; }

  /** A read-only field with a copy button, for secrets shown once. */
  function secretField(value, label) {
    const wrap = el("div", null, { class: "secret" });
    const input = el("input", null, { type: "text", readonly: "", "aria-label": label });
    input.value = value;
    const copy = el("button", "Copy", { type: "button" });
    copy.addEventListener("click", async function () {
      try { await navigator.clipboard.writeText(value); copy.textContent = "Copied"; }
      catch (_) { input.select(); document.execCommand("copy"); copy.textContent = "Copied"; }
    });
    wrap.append(input, copy);
    return wrap;
  }

  async function logout() {
    try { await api("POST", "/api/auth/logout"); } finally {
      sessionStorage.removeItem(CSRF_KEY);
      location.href = "/login.html";
    }
  }

  window.Trough = { api, showError, requireLogin, qs, nextPath, el, when, secretField, logout };
})();
