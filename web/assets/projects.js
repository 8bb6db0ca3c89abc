// One organisation's projects (?tenant=ID): the plan's usage; create projects; per project, its budget bar,
// a link to its page, tokens (raw value shown once) and services; the organisation's members and invite links.
(async function () {
  const { api, el, when, showError, table, field, secretField, labelRows } = Trough;
  const U = TroughUsage;
  const pageError = document.getElementById("page-error");
  document.getElementById("logout").addEventListener("click", Trough.logout);

  let me;
  try { me = await Trough.requireLogin(); } catch (error) { showError(pageError, error); return; }
  document.getElementById("user-email").textContent = me.user.email;

  const tenantID = Trough.qs("tenant") || (me.tenants[0] && me.tenants[0].id);
  const tenant = me.tenants.find(function (t) { return t.id === tenantID; });
  if (!tenant) {
    showError(pageError, new Error("This organisation was not found, or you are not a member of it."));
    for (const id of ["create-card", "members-card"]) document.getElementById(id).hidden = true;
    return;
  }
  const tenantPath = "/api/tenants/" + encodeURIComponent(tenantID);
  document.getElementById("tenant-title").textContent = tenant.name + ": projects";
  document.title = tenant.name + " projects — Trough";

  let idCount = 0;
  function uid(base) { return base + "-" + (++idCount); }

  // ---- New project form: the slug follows the name until the user edits it.
  const form = document.getElementById("project-form");
  const submit = document.getElementById("project-submit");
  const slugInput = form.elements.slug;
  let slugEdited = false;
  function slugify(text) { return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64); }
  slugInput.addEventListener("input", function () { slugEdited = slugInput.value !== ""; });
  form.elements.name.addEventListener("input", function () {
    if (!slugEdited) slugInput.value = slugify(form.elements.name.value);
  });
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError(form, null);
    const body = { name: form.elements.name.value.trim(), budget_hard_cap: form.elements.hard_cap.checked };
    const slug = slugInput.value.trim();
    if (slug && !/^[a-z0-9][a-z0-9-]*$/.test(slug)) {
      showError(form, new Error("The slug may only hold lower-case letters, digits and hyphens, and must start with a letter or digit."));
      return;
    }
    if (slug) body.slug = slug;
    const budget = form.elements.budget.value.trim().replace(/^\$/, "");
    if (budget) body.monthly_budget_usd = budget;
    submit.disabled = true;
    try {
      await api("POST", tenantPath + "/projects", body);
      form.reset();
      slugEdited = false;
      await loadProjects();
    } catch (error) {
      showError(form, error);
    } finally {
      submit.disabled = false;
    }
  });

  // ---- The plan: requests and services used against its limits.
  async function loadPlan() {
    let plan;
    try { plan = await api("GET", tenantPath + "/plan"); } catch (error) { showError(pageError, error); return; }
    const requests = plan.request_limit === null || plan.request_limit === undefined
      ? U.count(plan.requests_this_month) + " requests this month (unlimited)"
      : U.count(plan.requests_this_month) + " of " + U.count(plan.request_limit) + " requests this month";
    const services = plan.services_allowed === null || plan.services_allowed === undefined
      ? U.count(plan.services_used) + " active service" + (plan.services_used === 1 ? "" : "s") + " (unlimited)"
      : U.count(plan.services_used) + " of " + U.count(plan.services_allowed) + " services used";
    document.getElementById("plan-usage").textContent = plan.plan.name + " plan: " + requests + " · " + services + " · "
      + U.usd(plan.spent_this_month_usd) + " spent this month";
    const upgrade = document.getElementById("plan-upgrade");
    upgrade.hidden = plan.plan.id !== "free";
    upgrade.textContent = plan.plan.id === "free"
      ? "Upgrade to Pro for unlimited services and requests, hourly trends and longer history (the Free plan keeps "
        + plan.history_days + " days)."
      : "";
    document.getElementById("plan-card").hidden = false;
  }

  // ---- Project list, each with this month's usage from the tenant's usage summary.
  async function loadProjects() {
    const container = document.getElementById("projects");
    const [{ projects }, usage] = await Promise.all([
      api("GET", tenantPath + "/projects"),
      api("GET", tenantPath + "/usage/summary").catch(function (error) { showError(pageError, error); return null; }),
    ]);
    const usageByID = new Map(((usage && usage.projects) || []).map(function (p) { return [p.id, p]; }));
    container.replaceChildren();
    if (projects.length === 0) container.append(el("p", "No projects yet: create one above.", { class: "muted" }));
    // With only a few projects, open their token sections straight away.
    for (const project of projects) container.append(projectCard(project, usageByID.get(project.id), projects.length <= 3));
  }

  function projectCard(project, usage, openTokens) {
    const card = el("section", null, { class: "card", "data-project": project.id });
    const heading = el("h2");
    heading.append(el("a", project.name, { href: "/project.html?id=" + encodeURIComponent(project.id) }));
    card.append(heading);
    const budget = project.monthly_budget_usd
      ? "$" + project.monthly_budget_usd + " a month" + (project.budget_hard_cap ? ", requests stop when it is spent" : "")
      : "No budget";
    card.append(el("p", "Slug " + project.slug + " · " + budget + " · created " + when(project.created_at), { class: "muted" }));
    if (usage) {
      const bar = U.budgetBar(usage.budget, usage.month_to_date && usage.month_to_date.cost_usd);
      bar.classList.add("card-budget");
      card.append(bar);
      const today = usage.today, month = usage.month_to_date;
      if (today && month) {
        card.append(el("p", "Today: " + U.count(today.requests) + " requests, " + U.usd(today.cost_usd)
          + " · this month: " + U.count(month.requests) + " requests, " + U.usd(month.cost_usd), { class: "muted" }));
      }
    }
    card.append(tokensSection(project, openTokens), servicesSection(project));
    return card;
  }

  /** A <details> section whose content loads the first time it is opened. */
  function lazySection(title, open, load) {
    const details = el("details");
    const summary = el("summary");
    summary.append(el("h3", title));
    details.append(summary);
    let loaded = false;
    function maybeLoad() {
      if (details.open && !loaded) { loaded = true; load(details); }
    }
    details.addEventListener("toggle", maybeLoad);
    if (open) { details.open = true; maybeLoad(); }
    return details;
  }

  // ---- Project tokens: list, revoke, create (raw value shown once).
  function tokensSection(project, open) {
    const base = "/api/projects/" + encodeURIComponent(project.id) + "/tokens";
    return lazySection("Tokens", open, function (details) {
      const list = table(["Name", "Prefix", "Created", "Last used", "Action"]);
      const listError = el("div", null, { class: "error", role: "alert", tabindex: "-1" });

      async function refresh() {
        try {
          const { tokens } = await api("GET", base);
          list.body.replaceChildren();
          if (tokens.length === 0) {
            const row = el("tr");
            row.append(el("td", "No tokens yet.", { colspan: "5", class: "muted" }));
            list.body.append(row);
          }
          for (const token of tokens) list.body.append(tokenRow(token));
          labelRows(list.body);
        } catch (error) { showError(listError, error); }
      }

      function tokenRow(token) {
        const revoke = el("button", "Revoke", { type: "button", class: "danger small", "aria-label": "Revoke token " + token.name });
        revoke.addEventListener("click", async function () {
          if (!confirm("Revoke the token \"" + token.name + "\"? Requests using it will be refused at once.")) return;
          showError(listError, null);
          revoke.disabled = true;
          try {
            await api("DELETE", base + "/" + encodeURIComponent(token.id));
            await refresh();
          } catch (error) { showError(listError, error); revoke.disabled = false; }
        });
        const action = el("td");
        action.append(revoke);
        const row = el("tr");
        row.append(el("td", token.name), el("td", token.prefix + "…", { class: "mono" }),
          el("td", when(token.created_at)), el("td", token.last_used_at ? when(token.last_used_at) : "Never"), action);
        return row;
      }

      // New token form
      const tokenForm = el("form", null, { novalidate: "" });
      const name = el("input", null, { id: uid("token-name"), name: "name", type: "text", placeholder: "production", autocomplete: "off", required: "" });
      const create = el("button", "New token", { type: "submit" });
      const actions = el("div", null, { class: "actions" });
      actions.append(create);
      const row = el("div", null, { class: "row" });
      row.append(field("Token name", name), actions);
      const formError = el("div", null, { class: "error", role: "alert", tabindex: "-1" });
      const shown = el("div");
      tokenForm.append(row, formError);
      tokenForm.addEventListener("submit", async function (event) {
        event.preventDefault();
        showError(formError, null);
        create.disabled = true;
        try {
          const created = await api("POST", base, { name: name.value.trim() });
          shown.replaceChildren(
            secretField(created.token, "New token \"" + created.name + "\""),
            el("p", "Copy it now: it is not shown again.", { class: "notice" }),
            el("p", "Send it as the X-Project-Token header on requests through Trough.", { class: "hint" }));
          tokenForm.reset();
          await refresh();
        } catch (error) {
          showError(formError, error);
        } finally {
          create.disabled = false;
        }
      });

      details.append(list.wrap, listError, tokenForm, shown);
      refresh();
    });
  }

  // ---- Services (upstream APIs): list and add. Keys are stored encrypted and shown masked.
  function servicesSection(project) {
    const base = "/api/projects/" + encodeURIComponent(project.id) + "/services";
    return lazySection("Services", false, function (details) {
      const list = table(["Name", "Kind", "Base URL", "Provider key"]);
      const listError = el("div", null, { class: "error", role: "alert", tabindex: "-1" });

      async function refresh() {
        try {
          const { services } = await api("GET", base);
          list.body.replaceChildren();
          if (services.length === 0) {
            const row = el("tr");
            row.append(el("td", "No services yet.", { colspan: "4", class: "muted" }));
            list.body.append(row);
          }
          for (const service of services) {
            const row = el("tr");
            row.append(el("td", service.name), el("td", service.kind), el("td", service.base_url, { class: "ua" }),
              el("td", service.api_key || "Sent by the client"));
            list.body.append(row);
          }
          labelRows(list.body);
        } catch (error) { showError(listError, error); }
      }

      const serviceForm = el("form", null, { novalidate: "" });
      const name = el("input", null, { id: uid("svc-name"), name: "name", type: "text", placeholder: "openai", autocomplete: "off", required: "" });
      const kind = el("select", null, { id: uid("svc-kind"), name: "kind" });
      for (const k of ["openai", "anthropic", "gemini", "mistral", "cohere", "openai_compatible", "generic"]) kind.append(el("option", k, { value: k }));
      const url = el("input", null, { id: uid("svc-url"), name: "base_url", type: "text", inputmode: "url", placeholder: "https://api.openai.com/v1", autocomplete: "off", required: "" });
      const key = el("input", null, { id: uid("svc-key"), name: "api_key", type: "password", autocomplete: "off" });
      const row = el("div", null, { class: "row" });
      row.append(field("Service name", name), field("Kind", kind), field("Base URL", url), field("Provider API key (optional)", key));
      const add = el("button", "Add service", { type: "submit" });
      const formError = el("div", null, { class: "error", role: "alert", tabindex: "-1" });
      serviceForm.append(row, add, formError);
      serviceForm.addEventListener("submit", async function (event) {
        event.preventDefault();
        showError(formError, null);
        const body = { name: name.value.trim(), kind: kind.value, base_url: url.value.trim() };
        if (key.value) body.api_key = key.value;
        add.disabled = true;
        try {
          await api("POST", base, body);
          serviceForm.reset();
          await refresh();
          loadPlan();
        } catch (error) {
          showError(formError, error);
        } finally {
          add.disabled = false;
        }
      });

      details.append(list.wrap, listError, serviceForm);
      refresh();
    });
  }

  // ---- Members and invites
  const membersCard = document.getElementById("members-card");
  async function loadMembers() {
    const { members } = await api("GET", tenantPath + "/members");
    const body = document.getElementById("members");
    body.replaceChildren();
    for (const member of members) {
      const row = el("tr");
      row.append(el("td", member.email + (member.user_id === me.user.id ? " (you)" : "")), el("td", member.role));
      body.append(row);
    }
    labelRows(body);
  }

  const inviteForm = document.getElementById("invite-form");
  const inviteButton = document.getElementById("invite-submit");
  inviteForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError(inviteForm, null);
    inviteButton.disabled = true;
    try {
      const role = inviteForm.elements.role.value;
      const invite = await api("POST", tenantPath + "/invites", { role: role });
      document.getElementById("invite-link").replaceChildren(
        secretField(invite.invite_url, "Invite link for a new " + role),
        el("p", "Share it with one person: it works once and expires in 7 days.", { class: "hint" }));
    } catch (error) {
      showError(inviteForm, error);
    } finally {
      inviteButton.disabled = false;
    }
  });

  // ---- Personal API keys in this organisation: listed by prefix, the key itself shown once.
  const keysCard = document.getElementById("api-keys-card");
  const keyForm = document.getElementById("api-key-form");
  const keyButton = document.getElementById("api-key-submit");

  async function loadAPIKeys() {
    const data = await api("GET", tenantPath + "/api-keys");
    const body = document.getElementById("api-keys");
    body.replaceChildren();
    if (data.api_keys.length === 0) {
      const row = el("tr");
      row.append(el("td", "No API keys yet.", { colspan: "5" }));
      body.append(row);
    }
    for (const key of data.api_keys) {
      const row = el("tr");
      const revoke = el("button", "Revoke", { type: "button", class: "danger small", "aria-label": "Revoke API key " + key.name });
      revoke.addEventListener("click", async function () {
        if (!confirm("Revoke the API key \u201c" + key.name + "\u201d? Scripts using it stop working at once.")) return;
        revoke.disabled = true;
        try {
          await api("DELETE", tenantPath + "/api-keys/" + encodeURIComponent(key.id));
          await loadAPIKeys();
        } catch (error) {
          revoke.disabled = false;
          showError(keysCard, error);
        }
      });
      const action = el("td");
      action.append(revoke);
      row.append(el("td", key.name), el("td", key.prefix + "\u2026"), el("td", when(key.created_at)), el("td", when(key.last_used_at)), action);
      body.append(row);
    }
    labelRows(body);
  }

  keyForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError(keyForm, null);
    keyButton.disabled = true;
    try {
      const created = await api("POST", tenantPath + "/api-keys", { name: keyForm.elements.name.value.trim() });
      document.getElementById("new-api-key").replaceChildren(
        secretField(created.key, "Your new API key \u201c" + created.name + "\u201d"),
        el("p", "Copy it now: it is shown only once. Trough keeps only a hash.", { class: "hint" }));
      keyForm.reset();
      await loadAPIKeys();
    } catch (error) {
      showError(keyForm, error);
    } finally {
      keyButton.disabled = false;
    }
  });

  loadPlan();
  try { await loadProjects(); } catch (error) { showError(pageError, error); }
  try { await loadMembers(); } catch (error) { showError(membersCard, error); }
  try { await loadAPIKeys(); } catch (error) { showError(keysCard, error); }
})();
