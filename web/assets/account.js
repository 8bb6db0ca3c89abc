// The account page: organisations, sessions, logout.
(async function () {
  const { api, el, when, showError } = Trough;
  const me = await Trough.requireLogin();
  document.getElementById("user-email").textContent = me.user.email;
  document.getElementById("logout").addEventListener("click", Trough.logout);

  function renderTenants(tenants) {
    const body = document.getElementById("tenants");
    body.replaceChildren();
    for (const tenant of tenants) {
      const row = el("tr");
      const name = el("td");
      name.append(el("a", tenant.name, { href: "/projects.html?tenant=" + encodeURIComponent(tenant.id) }));
      row.append(name, el("td", tenant.role), el("td", tenant.plan));
      body.append(row);
    }
  }
  renderTenants(me.tenants);

  const tenantForm = document.getElementById("tenant-form");
  tenantForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    const card = document.getElementById("tenants-card");
    showError(card, null);
    try {
      await api("POST", "/api/tenants", { name: tenantForm.name.value });
      tenantForm.reset();
      renderTenants((await api("GET", "/api/me")).tenants);
    } catch (error) { showError(card, error); }
  });

  async function loadSessions() {
    const card = document.getElementById("sessions-card");
    const body = document.getElementById("sessions");
    body.replaceChildren();
    for (const session of (await api("GET", "/api/me/sessions")).sessions) {
      const row = el("tr");
      const action = el("td");
      if (session.current) {
        action.append(el("span", "This session", { class: "muted" }));
      } else {
        const end = el("button", "End", { type: "button", class: "danger small", "aria-label": "End session from " + when(session.created_at) });
        end.addEventListener("click", async function () {
          try { await api("DELETE", "/api/me/sessions/" + encodeURIComponent(session.id)); await loadSessions(); }
          catch (error) { showError(card, error); }
        });
        action.append(end);
      }
      row.append(el("td", when(session.created_at)), el("td", when(session.last_seen_at)), el("td", session.user_agent || "—"), action);
      body.append(row);
    }
  }
  await loadSessions();

  document.getElementById("end-others").addEventListener("click", async function () {
    const card = document.getElementById("sessions-card");
    showError(card, null);
    try {
      const result = await api("POST", "/api/me/sessions/revoke-others");
      document.getElementById("sessions-notice").textContent = "Signed out " + result.ended + " other session(s).";
      await loadSessions();
    } catch (error) { showError(card, error); }
  });
})();
