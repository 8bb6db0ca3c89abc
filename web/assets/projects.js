// A tenant's projects: create, services (keys masked), project tokens (shown once), members and invites.
(async function () {
  const { api, el, when, showError, secretField } = Trough;
  const me = await Trough.requireLogin();
  document.getElementById("user-email").textContent = me.user.email;
  document.getElementById("logout").addEventListener("click", Trough.logout);
  const tenantID = Trough.qs("tenant") || (me.tenants[0] && me.tenants[0].id);
  const tenant = me.tenants.find(function (t) { return t.id === tenantID; });
  if (!tenant) { showError(document.getElementById("create-card"), new Error("No such organisation.")); return; }
  document.getElementById("tenant-title").textContent = tenant.name + " — projects";

  const form = document.getElementById("project-form");
  let slugEdited = false;
  form.slug.addEventListener("input", function () { slugEdited = true; });
  form.name.addEventListener("input", function () {
    if (!slugEdited) form.slug.value = form.name.value.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  });
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError(form, null);
    const body = { name: form.name.value, budget_hard_cap: form.hard_cap.checked };
    if (form.slug.value) body.slug = form.slug.value;
    if (form.budget.value.trim()) body.monthly_budget_usd = form.budget.value.trim();
    try { await api("POST", "/api/tenants/" + tenantID + "/projects", body); form.reset(); slugEdited = false; await loadProjects(); }
    catch (error) { showError(form, error); }
  });

  async function loadProjects() {
    const container = document.getElementById("projects");
    container.replaceChildren();
    const { projects } = await api("GET", "/api/tenants/" + tenantID + "/projects");
    if (projects.length === 0) container.append(el("p", "No projects yet: create one above.", { class: "muted" }));
    for (const project of projects) container.append(await projectCard(project));
  }

  async function projectCard(project) {
    const card = el("section", null, { class: "card", "data-project": project.id });
    card.append(el("h2", project.name));
    const budget = project.monthly_budget_usd ? "$" + project.monthly_budget_usd + " a month" + (project.budget_hard_cap ? ", hard cap" : "") : "No budget";
    card.append(el("p", "Slug " + project.slug + " · " + budget + " · created " + when(project.created_at), { class: "muted" }));

    // Services
    card.append(el("h3", "Services"));
    const services = el("table");
    services.innerHTML = "<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Kind</th><th scope=\"col\">Base URL</th><th scope=\"col\">Key</th></tr></thead>";
    const serviceRows = el("tbody");
    services.append(serviceRows);
    for (const service of (await api("GET", "/api/projects/" + project.id + "/services")).services) {
      const row = el("tr");
      row.append(el("td", service.name), el("td", service.kind), el("td", service.base_url), el("td", service.api_key || "client sends its own"));
      serviceRows.append(row);
    }
    card.append(services);
    const serviceForm = el("form", null, { novalidate: "" });
    const id = project.id;
    serviceForm.innerHTML =
      "<div class=\"row\">" +
      "<div><label for=\"svc-name-" + id + "\">Service name</label><input id=\"svc-name-" + id + "\" name=\"name\" type=\"text\" placeholder=\"openai\" required></div>" +
      "<div><label for=\"svc-kind-" + id + "\">Kind</label><select id=\"svc-kind-" + id + "\" name=\"kind\">" +
      ["openai", "anthropic", "gemini", "mistral", "cohere", "openai_compatible", "generic"].map(function (k) { return "<option>" + k + "</option>"; }).join("") + "</select></div>" +
      "<div><label for=\"svc-url-" + id + "\">Base URL</label><input id=\"svc-url-" + id + "\" name=\"base_url\" type=\"text\" placeholder=\"https://api.openai.com/v1\" required></div>" +
      "<div><label for=\"svc-key-" + id + "\">Provider API key (optional)</label><input id=\"svc-key-" + id + "\" name=\"api_key\" type=\"password\" autocomplete=\"off\"></div>" +
      "</div><button type=\"submit\">Add service</button><div class=\"error\" role=\"alert\" tabindex=\"-1\"></div>";
    serviceForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(serviceForm, null);
      const body = { name: serviceForm.name.value, kind: serviceForm.kind.value, base_url: serviceForm.base_url.value };
      if (serviceForm.api_key.value) body.api_key = serviceForm.api_key.value;
      try { await api("POST", "/api/projects/" + id + "/services", body); await loadProjects(); }
      catch (error) { showError(serviceForm, error); }
    });
    card.append(serviceForm);

    // Tokens
    card.append(el("h3", "Project tokens"));
    const tokens = el("table");
    tokens.innerHTML = "<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Token</th><th scope=\"col\">Last used</th><th scope=\"col\"><span class=\"muted\">Action</span></th></tr></thead>";
    const tokenRows = el("tbody");
    tokens.append(tokenRows);
    for (const token of (await api("GET", "/api/projects/" + id + "/tokens")).tokens) {
      const row = el("tr");
      const action = el("td");
      const revoke = el("button", "Revoke", { type: "button", class: "danger small", "aria-label": "Revoke token " + token.name });
      revoke.addEventListener("click", async function () {
        if (!confirm("Revoke the token \"" + token.name + "\"? Requests using it stop at once.")) return;
        try { await api("DELETE", "/api/projects/" + id + "/tokens/" + token.id); await loadProjects(); }
        catch (error) { showError(tokenForm, error); }
      });
      action.append(revoke);
      row.append(el("td", token.name), el("td", token.prefix + "…"), el("td", when(token.last_used_at)), action);
      tokenRows.append(row);
    }
    card.append(tokens);
    const tokenForm = el("form", null, { novalidate: "", class: "row" });
    tokenForm.innerHTML = "<div><label for=\"tok-name-" + id + "\">New token name</label><input id=\"tok-name-" + id + "\" name=\"name\" type=\"text\" placeholder=\"production\" required></div>" +
      "<div><button type=\"submit\">Create token</button></div><div class=\"error\" role=\"alert\" tabindex=\"-1\"></div>";
    const shown = el("div");
    tokenForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(tokenForm, null);
      try {
        const created = await api("POST", "/api/projects/" + id + "/tokens", { name: tokenForm.name.value });
        shown.replaceChildren(el("p", "Copy it now: it is not shown again.", { class: "notice" }), secretField(created.token, "New project token"),
          el("p", "Use it as X-Project-Token, with base_url " + location.origin + "/v1 (OpenAI) or " + location.origin + "/proxy/<service>.", { class: "hint" }));
      } catch (error) { showError(tokenForm, error); }
    });
    card.append(tokenForm, shown);
    return card;
  }

  async function loadMembers() {
    const body = document.getElementById("members");
    body.replaceChildren();
    for (const member of (await api("GET", "/api/tenants/" + tenantID + "/members")).members) {
      const row = el("tr");
      row.append(el("td", member.email), el("td", member.role));
      body.append(row);
    }
  }

  const inviteForm = document.getElementById("invite-form");
  inviteForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    const card = document.getElementById("members-card");
    showError(card, null);
    try {
      const invite = await api("POST", "/api/tenants/" + tenantID + "/invites", { role: inviteForm.role.value });
      document.getElementById("invite-link").replaceChildren(el("p", "Share this single-use link (valid 7 days):", { class: "notice" }), secretField(invite.invite_url, "Invite link"));
    } catch (error) { showError(card, error); }
  });

  try { await loadProjects(); await loadMembers(); }
  catch (error) { showError(document.getElementById("create-card"), error); }
})();
