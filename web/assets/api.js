// Trough's page helpers (window.Trough): JSON calls with the CSRF token, error display, login guard.
// Dynamic content is only ever set with textContent / createElement, never innerHTML.
(function () {
  "use strict";
  const CSRF_KEY = "trough.csrf";

  /** Calls the API. Resolves to the JSON body (or null); rejects with an Error carrying .message, .type, .status. */
  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && method !== "HEAD") {
      const csrf = sessionStorage.getItem(CSRF_KEY);
      if (csrf) headers["X-CSRF-Token"] = csrf;
    }
    let response;
    try {
      response = await fetch(path, {
        method: method, headers: headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      const offline = new Error("Could not reach Trough. Check your connection and try again.");
      offline.type = "network"; offline.status = 0;
      throw offline;
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    // Sign-up, login and GET /api/me hand out the session's CSRF token.
    if (data && typeof data.csrf_token === "string") sessionStorage.setItem(CSRF_KEY, data.csrf_token);
    if (!response.ok) {
      const apiError = data && data.error ? data.error : null;
      let message = (apiError && apiError.message) || ("Request failed (HTTP " + response.status + ").");
      const retry = response.headers.get("Retry-After");
      if (response.status === 429 && retry) message += " Try again in " + retry + " seconds.";
      const error = new Error(message);
      error.type = (apiError && apiError.type) || "unknown";
      error.status = response.status;
      throw error;
    }
    return data;
  }

  /** Fills the `.error[role=alert]` box inside (or equal to) an element; a null error clears it. */
  function showError(container, error) {
    let box = container.matches(".error") ? container : container.querySelector(".error");
    if (!box) {
      if (!error) return;
      box = el("div", null, { class: "error", role: "alert", tabindex: "-1" });
      container.append(box);
    }
    box.textContent = error ? (error.message || String(error)) : "";
    if (error) box.focus();
  }

  /** The signed-in user (GET /api/me), or a redirect to the login page on 401. */
  async function requireLogin() {
    try {
      return await api("GET", "/api/me");
    } catch (error) {
      if (error.status === 401) {
        location.href = "/login.html?next=" + encodeURIComponent(location.pathname + location.search);
        return new Promise(function () {}); // never resolves: the page is going away
      }
      throw error;
    }
  }

  /** A query-string parameter, or null. */
  function qs(name) { return new URLSearchParams(location.search).get(name); }

  /** Where to go after signing in: a same-site path from ?next=, else the fallback. */
  function nextPath(fallback) {
    const next = qs("next");
    return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : fallback;
  }

  /** createElement with optional text (set as textContent) and attributes. */
  function el(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  /** An ISO-8601 date in the user's locale, or a dash. */
  function when(iso) { return iso ? new Date(iso).toLocaleString() : "—"; }

  /** A table (inside a scrolling wrapper) with the given column headings; returns { wrap, body }. */
  function table(headings) {
    const wrap = el("div", null, { class: "table-wrap" });
    const tableEl = el("table", null, { class: "stack" });
    const headRow = el("tr");
    for (const heading of headings) headRow.append(el("th", heading, { scope: "col" }));
    const head = el("thead");
    head.append(headRow);
    const body = el("tbody");
    tableEl.append(head, body);
    wrap.append(tableEl);
    return { wrap: wrap, body: body };
  }

  /** Copies each column heading onto its cells (data-label), so narrow screens can stack rows. */
  function labelRows(tbody) {
    const headings = Array.from(tbody.closest("table").querySelectorAll("thead th")).map(function (th) { return th.textContent; });
    for (const row of tbody.rows) {
      Array.from(row.cells).forEach(function (cell, i) {
        if (headings[i] && !cell.hasAttribute("colspan")) cell.setAttribute("data-label", headings[i]);
      });
    }
  }

  /** Wraps an input (which must have an id) with its <label for>; returns the wrapper. */
  function field(labelText, input, hint) {
    const wrap = el("div");
    wrap.append(el("label", labelText, { for: input.id }), input);
    if (hint) {
      const hintEl = el("p", hint, { class: "hint", id: input.id + "-hint" });
      input.setAttribute("aria-describedby", hintEl.id);
      wrap.append(hintEl);
    }
    return wrap;
  }

  /**
   * Copies text to the clipboard; without the clipboard API (plain http, no permission) it selects `source`
   * (an input, textarea or other element holding the text) and tries document.execCommand("copy").
   * Resolves to the sentence to show in a status line.
   */
  async function copyText(text, source) {
    try {
      await navigator.clipboard.writeText(text);
      return "Copied.";
    } catch (_) {
      let copied = false;
      if (source) {
        if (typeof source.select === "function") {
          source.focus();
          source.select();
        } else {
          const range = document.createRange();
          range.selectNodeContents(source);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }
        try { copied = document.execCommand("copy"); } catch (_) { copied = false; }
      }
      return copied ? "Copied." : "Selected: press Ctrl+C (Cmd+C on a Mac) to copy.";
    }
  }

  /** A Copy button for `text` (selecting `source` when the clipboard is unavailable) and its status line. */
  function copyButton(text, source, labelText) {
    const button = el("button", "Copy", { type: "button", class: "secondary small copy" });
    if (labelText) button.setAttribute("aria-label", labelText);
    const status = el("span", null, { class: "hint copy-status", role: "status" });
    button.addEventListener("click", async function () {
      status.textContent = " " + await copyText(typeof text === "function" ? text() : text, source);
    });
    return { button: button, status: status };
  }

  let secretCount = 0;
  /** A read-only field with a Copy button, for secrets and links shown once. */
  function secretField(value, labelText) {
    const id = "secret-" + (++secretCount);
    const box = el("div", null, { class: "secret-box" });
    const row = el("div", null, { class: "secret" });
    const input = el("input", null, { id: id, type: "text", readonly: "", spellcheck: "false", autocomplete: "off" });
    input.value = value;
    const copy = el("button", "Copy", { type: "button", class: "secondary" });
    const status = el("span", null, { class: "hint", role: "status" });
    copy.addEventListener("click", async function () {
      status.textContent = " " + await copyText(value, input);
    });
    row.append(input, copy);
    box.append(el("label", labelText, { for: id }), row, status);
    return box;
  }

  /** Ends this session and goes to the login page. */
  async function logout() {
    try { await api("POST", "/api/auth/logout"); } catch (_) { /* leave anyway */ }
    sessionStorage.removeItem(CSRF_KEY);
    location.href = "/login.html";
  }

  window.Trough = {
    api: api, showError: showError, requireLogin: requireLogin, qs: qs, nextPath: nextPath,
    el: el, when: when, table: table, labelRows: labelRows, field: field, secretField: secretField, logout: logout,
    copyText: copyText, copyButton: copyButton,
  };
})();
