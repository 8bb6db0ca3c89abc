// Account page: the user's organisations, creating one, sessions, logout.
(async function () {
  const { api, el, when, showError, labelRows } = Trough;
  const pageError = document.getElementById("page-error");
  document.getElementById("logout").addEventListener("click", Trough.logout);

  let me;
  try { me = await Trough.requireLogin(); } catch (error) { showError(pageError, error); return; }
  document.getElementById("user-email").textContent = me.user.email;

  // Organisations: name, role, plan, and a link to the projects page.
  function renderTenants(tenants) {
    const body = document.getElementById("tenants");
    body.replaceChildren();
    if (tenants.length === 0) {
      const row = el("tr");
      row.append(el("td", "You are not in any organisation yet.", { colspan: "4", class: "muted" }));
      body.append(row);
    }
    for (const tenant of tenants) {
      const href = "/projects.html?tenant=" + encodeURIComponent(tenant.id);
      const name = el("td");
      name.append(el("a", tenant.name, { href: href }));
      const projects = el("td");
      projects.append(el("a", "Projects", { href: href, "aria-label": "Projects of " + tenant.name }));
      const row = el("tr");
      row.append(name, el("td", tenant.role || "—"), el("td", tenant.plan), projects);
      body.append(row);
    }
    labelRows(body);
  }
  renderTenants(me.tenants);

  // Create organisation, then reload the list from /api/me.
  const tenantForm = document.getElementById("tenant-form");
  const tenantButton = document.getElementById("tenant-submit");
  tenantForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError(tenantForm, null);
    tenantButton.disabled = true;
    try {
      await api("POST", "/api/tenants", { name: tenantForm.elements.name.value.trim() });
      tenantForm.reset();
      renderTenants((await api("GET", "/api/me")).tenants);
    } catch (error) {
      showError(tenantForm, error);
    } finally {
      tenantButton.disabled = false;
    }
  });

  // Sessions: created, last seen, user agent, and "This session" or an End button.
  const sessionsCard = document.getElementById("sessions-card");
  const notice = document.getElementById("sessions-notice");
  async function loadSessions() {
    const { sessions } = await api("GET", "/api/me/sessions");
    const body = document.getElementById("sessions");
    body.replaceChildren();
    for (const session of sessions) {
      const marker = el("td");
      if (session.current) {
        marker.append(el("span", "This session", { class: "tag" }));
      } else {
        const end = el("button", "End", {
          type: "button", class: "danger small",
          "aria-label": "End the session created " + when(session.created_at),
        });
        end.addEventListener("click", async function () {
          showError(sessionsCard, null);
          end.disabled = true;
          try {
            await api("DELETE", "/api/me/sessions/" + encodeURIComponent(session.id));
            notice.textContent = "Session ended.";
            await loadSessions();
          } catch (error) { showError(sessionsCard, error); end.disabled = false; }
        });
        marker.append(end);
      }
      const row = el("tr");
      row.append(el("td", when(session.created_at)), el("td", when(session.last_seen_at)),
        el("td", session.user_agent || "Unknown", { class: "ua" }), marker);
      body.append(row);
    }
    labelRows(body);
    document.getElementById("end-others").hidden = !sessions.some(function (s) { return !s.current; });
  }

  document.getElementById("end-others").addEventListener("click", async function () {
    const button = this;
    showError(sessionsCard, null);
    button.disabled = true;
    try {
      const result = await api("POST", "/api/me/sessions/revoke-others");
      const ended = result && typeof result.ended === "number" ? result.ended : null;
      notice.textContent = ended === null ? "Other sessions signed out." : "Signed out " + ended + " other session" + (ended === 1 ? "." : "s.");
      await loadSessions();
    } catch (error) {
      showError(sessionsCard, error);
    } finally {
      button.disabled = false;
    }
  });

  try { await loadSessions(); } catch (error) { showError(sessionsCard, error); }
})();
