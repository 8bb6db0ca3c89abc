// One project (?id=prj_…): today against yesterday, the budget, the plan's quota, spend charts, this month's
// breakdowns and CSV downloads; then its services (with cost rules), tokens and budget settings.
// A project without requests in the last 30 days gets a "Get started" card with copy-paste snippets.
(async function () {
  const { api, el, when, showError, labelRows, field } = Trough;
  const U = TroughUsage;
  const pageError = document.getElementById("page-error");
  document.getElementById("logout").addEventListener("click", Trough.logout);

  const SECTIONS = ["today-card", "budget-card", "charts-card", "breakdowns-card", "exports-card", "services-card", "tokens-card"];
  function hideSections() { for (const id of SECTIONS) document.getElementById(id).hidden = true; }

  let me;
  try { me = await Trough.requireLogin(); } catch (error) { showError(pageError, error); hideSections(); return; }
  document.getElementById("user-email").textContent = me.user.email;

  const projectID = Trough.qs("id");
  if (!projectID) {
    showError(pageError, new Error("No project given: open one from the projects page."));
    hideSections();
    return;
  }
  const projectPath = "/api/projects/" + encodeURIComponent(projectID);

  let project;
  try {
    project = await api("GET", projectPath);
  } catch (error) {
    showError(pageError, error.status === 404 ? new Error("This project was not found, or you are not a member of its organisation.") : error);
    hideSections();
    return;
  }
  const tenant = me.tenants.find(function (t) { return t.id === project.tenant_id; });
  const canManage = !!tenant && tenant.role !== "viewer";

  const state = { services: null, tokens: null, daily: null };
  let idCount = 0;
  function uid(base) { return base + "-" + (++idCount); }
  function errorBox() { return el("div", null, { class: "error", role: "alert", tabindex: "-1" }); }
  function emptyRow(columns, text) {
    const row = el("tr");
    row.append(el("td", text, { colspan: String(columns), class: "muted" }));
    return row;
  }

  // ---- Heading, links back, CSV downloads
  function renderHeader() {
    document.getElementById("project-title").textContent = project.name;
    document.title = project.name + " — Trough";
    const budget = project.monthly_budget_usd
      ? U.usd(project.monthly_budget_usd) + " a month" + (project.budget_hard_cap ? " (hard cap)" : "")
      : "No budget";
    document.getElementById("project-meta").textContent =
      "Slug " + project.slug + " · " + budget + " · created " + when(project.created_at) + (tenant ? " · " + tenant.name : "");
    const back = "/projects.html?tenant=" + encodeURIComponent(project.tenant_id);
    document.getElementById("back-link").href = back;
    document.getElementById("nav-projects").href = back;
    document.getElementById("back-link").textContent = "← Back to projects" + (tenant ? " of " + tenant.name : "");
  }
  renderHeader();

  const downloads = { "csv-daily": "day", "csv-endpoint": "endpoint", "csv-model": "model", "csv-service": "service", "csv-token": "token" };
  for (const [id, by] of Object.entries(downloads)) {
    const link = document.getElementById(id);
    link.href = projectPath + "/usage/export.csv?by=" + by;
    link.setAttribute("download", project.slug + "-" + (by === "day" ? "daily" : "by-" + by) + ".csv");
  }
  const eventsLink = document.getElementById("csv-events");
  eventsLink.href = projectPath + "/events.csv";
  eventsLink.setAttribute("download", project.slug + "-events.csv");

  if (!canManage) {
    for (const form of document.querySelectorAll("#budget-form, .manage")) form.hidden = true;
    document.getElementById("services-card").append(el("p", "Viewers see services and tokens; an admin or owner changes them.", { class: "hint" }));
  }

  // ---- Today against yesterday, month to date, unpriced requests, budget bar, plan usage
  async function loadSummary() {
    const card = document.getElementById("today-card");
    let summary;
    try {
      summary = await api("GET", projectPath + "/usage/summary");
    } catch (error) {
      showError(card, error);
      return null;
    }
    const today = summary.today, yesterday = summary.yesterday, month = summary.month_to_date;
    document.getElementById("today-date").textContent = today.date ? "(" + today.date + ")" : "";
    const tiles = [
      ["requests", function (t) { return U.count(t.requests); }],
      ["cost", function (t) { return U.usd(t.cost_usd); }],
      ["latency", function (t) { return t.requests ? U.latency(t.avg_latency_ms) : "—"; }],
      ["errors", function (t) { return t.requests ? U.rate(t.error_rate) : "—"; }],
    ];
    for (const [name, format] of tiles) {
      document.getElementById("today-" + name).textContent = format(today);
      document.getElementById("yesterday-" + name).textContent = "Yesterday: " + format(yesterday);
    }
    document.getElementById("month-line").textContent = "This month" + (month.month ? " (" + month.month + ")" : "") + ": "
      + U.count(month.requests) + " request" + (month.requests === 1 ? "" : "s") + ", " + U.usd(month.cost_usd) + ".";

    const unpriced = document.getElementById("unpriced-warning");
    const unpricedCount = month.unpriced || 0;
    unpriced.hidden = unpricedCount === 0;
    unpriced.textContent = unpricedCount === 0 ? "" : U.count(unpricedCount) + " request" + (unpricedCount === 1 ? "" : "s")
      + " this month had no price (the model is not in the price table), so " + (unpricedCount === 1 ? "its" : "their")
      + " cost is missing from these totals. Add a price for the model to count later requests.";

    renderRefused(summary.refused);
    renderBudget(summary.budget, month.cost_usd);

    const plan = summary.plan;
    if (plan) {
      const used = U.count(plan.requests_this_month);
      document.getElementById("plan-usage").textContent = plan.request_limit === null || plan.request_limit === undefined
        ? used + " requests this month (" + plan.name + " plan, unlimited)"
        : used + " of " + U.count(plan.request_limit) + " requests this month (" + plan.name + " plan)";
      document.getElementById("events-hint").textContent = "Raw events go back " + plan.history_days + " days on the " + plan.name + " plan.";
    }
    return summary;
  }

  const refusalNames = {
    budget_exceeded: "a hard-capped budget was spent",
    plan_limit_exceeded: "the plan's monthly request limit was reached",
    service_suspended: "the service is suspended",
  };

  /** Requests Trough answered 402 before calling the provider, so the app can see what its users missed. */
  function renderRefused(refused) {
    const warning = document.getElementById("refused-warning");
    const count = refused ? refused.month_to_date : 0;
    warning.hidden = !count;
    if (!count) { warning.textContent = ""; return; }
    const reasons = Object.entries(refused.by_reason || {})
      .sort(function (a, b) { return b[1] - a[1]; })
      .map(function ([reason, n]) { return U.count(n) + " because " + (refusalNames[reason] || reason); });
    warning.textContent = U.count(count) + " request" + (count === 1 ? " was" : "s were") + " refused this month ("
      + U.count(refused.today) + " today) before reaching the provider: " + reasons.join("; ") + ".";
  }

  function renderBudget(budget, spentUsd) {
    const bar = document.getElementById("budget-bar");
    bar.replaceChildren(U.budgetBar(budget, spentUsd));
    if (!budget) {
      bar.append(el("p", canManage ? "Set a monthly budget below to follow spend against it; with a hard cap Trough refuses requests once it is spent."
        : "An admin or owner can set a monthly budget.", { class: "hint" }));
    }
  }

  // Budget settings: PATCH the project, then redraw the bar.
  const budgetForm = document.getElementById("budget-form");
  const budgetButton = document.getElementById("budget-submit");
  const budgetNotice = document.getElementById("budget-notice");
  function fillBudgetForm() {
    budgetForm.elements.budget.value = project.monthly_budget_usd || "";
    budgetForm.elements.hard_cap.checked = !!project.budget_hard_cap;
  }
  fillBudgetForm();
  budgetForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError(budgetForm, null);
    budgetNotice.textContent = "";
    const amount = budgetForm.elements.budget.value.trim().replace(/^\$/, "");
    budgetButton.disabled = true;
    try {
      const updated = await api("PATCH", projectPath, { monthly_budget_usd: amount === "" ? null : amount, budget_hard_cap: budgetForm.elements.hard_cap.checked });
      project = Object.assign(project, updated);
      renderHeader();
      fillBudgetForm();
      budgetNotice.textContent = amount === "" ? "Budget removed." : "Budget saved.";
      await loadSummary();
    } catch (error) {
      showError(budgetForm, error);
    } finally {
      budgetButton.disabled = false;
    }
  });

  // ---- Charts: 30 days of daily spend; 48 hours hourly on plans with hourly trends.
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function shortDate(date) { return MONTHS[Number(date.slice(5, 7)) - 1] + " " + Number(date.slice(8, 10)); }
  function highest(rows) {
    let best = null;
    for (const row of rows) if (!U.isZero(row.cost_usd) && (!best || U.exceeds(row.cost_usd, best.cost_usd))) best = row;
    return best;
  }
  function requestsText(n) { return U.count(n) + " request" + (n === 1 ? "" : "s"); }

  async function loadDaily() {
    const container = document.getElementById("spend-chart");
    let daily;
    try {
      daily = await api("GET", projectPath + "/usage/daily");
    } catch (error) {
      container.replaceChildren();
      showError(document.getElementById("charts-error"), error);
      return;
    }
    state.daily = daily;
    const top = highest(daily.days);
    TroughChart.bars(container, {
      title: "Spend per day from " + daily.from + " to " + daily.to + " (UTC)",
      summary: "Total " + U.usd(daily.total.cost_usd) + " for " + requestsText(daily.total.requests) + "."
        + (top ? " Highest day: " + top.date + " at " + U.usd(top.cost_usd) + "." : ""),
      columns: ["Date", "Requests", "Cost"],
      empty: "No spend in these 30 days",
      points: daily.days.map(function (day) {
        return {
          label: shortDate(day.date), value: parseFloat(day.cost_usd) || 0,
          tip: day.date + ": " + U.usd(day.cost_usd) + ", " + requestsText(day.requests),
          cells: [day.date, U.count(day.requests), U.usd(day.cost_usd)],
        };
      }),
    });
    renderGetStarted();
  }

  async function loadHourly(summary) {
    const section = document.getElementById("hourly-section");
    const note = document.getElementById("hourly-note");
    if (!summary || !summary.plan || !summary.plan.hourly_trends) { note.hidden = false; return; }
    let hourly;
    try {
      hourly = await api("GET", projectPath + "/usage/hourly?hours=48");
    } catch (error) {
      if (error.status === 402) { section.hidden = true; note.hidden = false; return; }
      showError(document.getElementById("charts-error"), error);
      return;
    }
    section.hidden = false;
    TroughChart.bars(document.getElementById("hourly-chart"), {
      title: "Spend per hour, last 48 hours (UTC)",
      summary: "Total " + U.usd(hourly.total.cost_usd) + " for " + requestsText(hourly.total.requests) + ".",
      columns: ["Hour (UTC)", "Requests", "Cost"],
      empty: "No spend in these 48 hours",
      points: hourly.hours.map(function (slot) {
        const hour = slot.hour.slice(11, 16);
        const label = hour === "00:00" ? shortDate(slot.hour.slice(0, 10)) : (Number(hour.slice(0, 2)) % 6 === 0 ? hour : "");
        const name = slot.hour.slice(0, 10) + " " + hour;
        return {
          label: label, value: parseFloat(slot.cost_usd) || 0,
          tip: name + " UTC: " + U.usd(slot.cost_usd) + ", " + requestsText(slot.requests),
          cells: [name, U.count(slot.requests), U.usd(slot.cost_usd)],
        };
      }),
    });
  }

  // ---- Breakdowns of this month: top 10 by cost, the rest summed as "Other".
  const BREAKDOWNS = [["endpoint", "Endpoints", "Endpoint"], ["model", "Models", "Model"], ["service", "Services", "Service"], ["token", "Tokens", "Token"],
    ["service_tier", "Service tiers", "Tier"]];
  function share(part, total) {
    const p = U.nanos(part), t = U.nanos(total);
    if (p === null || t === null || t === BigInt(0)) return "0.00";
    const basis = (p * BigInt(10000)) / t;
    return String(basis / BigInt(100)) + "." + String(basis % BigInt(100)).padStart(2, "0");
  }
  async function loadBreakdown(by, title, heading) {
    const container = document.getElementById("breakdown-" + by);
    container.replaceChildren(el("h3", title));
    let data;
    try {
      data = await api("GET", projectPath + "/usage/breakdown?by=" + by + "&limit=10");
    } catch (error) {
      showError(container, error);
      return;
    }
    const list = Trough.table([heading, "Requests", "Cost", "Share"]);
    if (data.rows.length === 0) list.body.append(emptyRow(4, "No requests this month."));
    for (const row of data.rows) {
      const tr = el("tr");
      tr.append(el("td", row.label, { class: by === "endpoint" ? "mono ua" : "ua" }), el("td", U.count(row.requests)),
        el("td", U.usd(row.cost_usd)), el("td", row.share_percent + "%"));
      list.body.append(tr);
    }
    if (data.other && data.other.requests > 0) {
      const tr = el("tr", null, { class: "other" });
      tr.append(el("td", "Everything else"), el("td", U.count(data.other.requests)), el("td", U.usd(data.other.cost_usd)),
        el("td", share(data.other.cost_usd, data.total.cost_usd) + "%"));
      list.body.append(tr);
    }
    labelRows(list.body);
    container.append(list.wrap);
  }

  // ---- Services: list, cost rules for generic services, add form.
  const KIND_URLS = {
    openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com",
    gemini: "https://generativelanguage.googleapis.com", mistral: "https://api.mistral.ai/v1",
    cohere: "https://api.cohere.com", openai_compatible: "http://localhost:11434/v1", generic: "https://api.example.com",
  };
  async function loadServices() {
    const body = document.getElementById("services");
    const listError = document.getElementById("services-error");
    try {
      state.services = (await api("GET", projectPath + "/services")).services;
    } catch (error) {
      showError(listError, error);
      return;
    }
    showError(listError, null);
    body.replaceChildren();
    if (state.services.length === 0) body.append(emptyRow(5, "No services yet: add the API your app calls below."));
    for (const service of state.services) {
      const status = el("td");
      if (service.status === "active") status.append(el("span", "active", { class: "tag" }));
      else status.append(el("span", service.status, { class: "tag tag-warn" }), service.suspended_reason ? " " + service.suspended_reason : "");
      const row = el("tr");
      row.append(el("td", service.name), el("td", service.kind), el("td", service.base_url, { class: "ua" }),
        el("td", service.api_key || "Sent by your app", { class: service.api_key ? "mono" : "muted" }), status);
      body.append(row);
    }
    labelRows(body);
    const rules = document.getElementById("rules");
    rules.replaceChildren();
    for (const service of state.services) if (service.kind === "generic") rules.append(rulesSection(service));
    renderGetStarted();
  }

  const serviceForm = document.getElementById("service-form");
  const serviceButton = document.getElementById("service-submit");
  const kindSelect = document.getElementById("service-kind");
  kindSelect.addEventListener("change", function () { serviceForm.elements.base_url.placeholder = KIND_URLS[kindSelect.value] || ""; });
  serviceForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError(serviceForm, null);
    const body = { name: serviceForm.elements.name.value.trim(), kind: kindSelect.value, base_url: serviceForm.elements.base_url.value.trim() };
    if (serviceForm.elements.api_key.value) body.api_key = serviceForm.elements.api_key.value;
    serviceButton.disabled = true;
    try {
      await api("POST", projectPath + "/services", body);
      serviceForm.reset();
      serviceForm.elements.base_url.placeholder = KIND_URLS.openai;
      await loadServices();
    } catch (error) {
      showError(serviceForm, error);
    } finally {
      serviceButton.disabled = false;
    }
  });

  /** Cost rules of one generic service: list with delete, and an add form. */
  function rulesSection(service) {
    const base = "/api/services/" + encodeURIComponent(service.id) + "/rules";
    const section = el("div", null, { class: "rules", "data-service": service.name });
    section.append(el("h3", "Cost rules for " + service.name));
    section.append(el("p", "A generic service is priced by these rules: the most specific matching rule wins; * matches one path segment, a final ** the rest. Only successful answers are charged.", { class: "hint" }));
    const list = Trough.table(["Method", "Path pattern", "Cost in USD", "Unit field", "Action"]);
    const listError = errorBox();

    async function refresh() {
      try {
        const { rules } = await api("GET", base);
        list.body.replaceChildren();
        if (rules.length === 0) list.body.append(emptyRow(5, "No rules yet: requests to this service are recorded unpriced."));
        for (const rule of rules) list.body.append(ruleRow(rule));
        labelRows(list.body);
      } catch (error) { showError(listError, error); }
    }

    function ruleRow(rule) {
      const action = el("td");
      if (canManage) {
        const remove = el("button", "Delete", { type: "button", class: "danger small", "aria-label": "Delete the rule for " + rule.path_pattern });
        remove.addEventListener("click", async function () {
          if (!confirm("Delete the cost rule for " + rule.path_pattern + "?")) return;
          showError(listError, null);
          remove.disabled = true;
          try {
            await api("DELETE", base + "/" + encodeURIComponent(rule.id));
            await refresh();
          } catch (error) { showError(listError, error); remove.disabled = false; }
        });
        action.append(remove);
      }
      const row = el("tr");
      row.append(el("td", rule.method || "any"), el("td", rule.path_pattern, { class: "mono ua" }),
        el("td", U.usd(rule.cost_usd) + (rule.unit_field ? " per unit" : " per request")),
        el("td", rule.unit_field || "—", { class: rule.unit_field ? "mono" : "muted" }), action);
      return row;
    }

    const form = el("form", null, { novalidate: "", class: "manage" });
    const method = el("select", null, { id: uid("rule-method"), name: "method" });
    for (const m of ["", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) method.append(el("option", m || "any method", { value: m }));
    const pattern = el("input", null, { id: uid("rule-pattern"), name: "path_pattern", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "/2010-04-01/Accounts/*/Messages.json", required: "" });
    const cost = el("input", null, { id: uid("rule-cost"), name: "cost_usd", type: "text", inputmode: "decimal", autocomplete: "off", placeholder: "0.0079", required: "" });
    const unit = el("input", null, { id: uid("rule-unit"), name: "unit_field", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "num_segments" });
    const hint = el("p", "Path pattern: /2010-04-01/Accounts/*/Messages.json style. Unit field: a numeric field of the JSON answer (dotted for nested ones); the cost is then per unit of it, else per request.", { class: "hint", id: unit.id + "-hint" });
    pattern.setAttribute("aria-describedby", hint.id);
    unit.setAttribute("aria-describedby", hint.id);
    const row = el("div", null, { class: "row" });
    row.append(field("Method", method), field("Path pattern", pattern), field("Cost in USD", cost), field("Unit field (optional)", unit));
    const add = el("button", "Add rule", { type: "submit" });
    const formError = errorBox();
    form.append(el("h4", "Add a rule"), row, hint, add, formError);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(formError, null);
      const body = { path_pattern: pattern.value.trim(), cost_usd: cost.value.trim().replace(/^\$/, "") };
      if (method.value) body.method = method.value;
      if (unit.value.trim()) body.unit_field = unit.value.trim();
      add.disabled = true;
      try {
        await api("POST", base, body);
        form.reset();
        await refresh();
      } catch (error) {
        showError(formError, error);
      } finally {
        add.disabled = false;
      }
    });
    if (!canManage) form.hidden = true;

    section.append(list.wrap, listError, form);
    refresh();
    return section;
  }

  // ---- Project tokens: list, revoke, create (raw value shown once).
  async function loadTokens() {
    const body = document.getElementById("tokens");
    const listError = document.getElementById("tokens-error");
    try {
      const tokens = (await api("GET", projectPath + "/tokens")).tokens;
      state.tokens = tokens.slice().sort(function (a, b) { return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0; });
    } catch (error) {
      showError(listError, error);
      return;
    }
    showError(listError, null);
    body.replaceChildren();
    if (state.tokens.length === 0) body.append(emptyRow(5, "No tokens yet: create one below."));
    for (const token of state.tokens) body.append(tokenRow(token));
    labelRows(body);
    renderGetStarted();
  }

  function tokenRow(token) {
    const action = el("td");
    if (canManage) {
      const revoke = el("button", "Revoke", { type: "button", class: "danger small", "aria-label": "Revoke token " + token.name });
      revoke.addEventListener("click", async function () {
        if (!confirm("Revoke the token \"" + token.name + "\"? Requests using it will be refused at once.")) return;
        const listError = document.getElementById("tokens-error");
        showError(listError, null);
        revoke.disabled = true;
        try {
          await api("DELETE", projectPath + "/tokens/" + encodeURIComponent(token.id));
          await loadTokens();
        } catch (error) { showError(listError, error); revoke.disabled = false; }
      });
      action.append(revoke);
    }
    const row = el("tr");
    row.append(el("td", token.name), el("td", token.prefix + "…", { class: "mono" }),
      el("td", when(token.created_at)), el("td", token.last_used_at ? when(token.last_used_at) : "Never"), action);
    return row;
  }

  const tokenForm = document.getElementById("token-form");
  const tokenButton = document.getElementById("token-submit");
  tokenForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError(tokenForm, null);
    tokenButton.disabled = true;
    try {
      const created = await api("POST", projectPath + "/tokens", { name: tokenForm.elements.name.value.trim() });
      document.getElementById("new-token").replaceChildren(
        Trough.secretField(created.token, "New token \"" + created.name + "\""),
        el("p", "Copy it now: it is not shown again.", { class: "notice" }),
        el("p", "Send it as the X-Project-Token header on requests through Trough.", { class: "hint" }));
      tokenForm.reset();
      await loadTokens();
    } catch (error) {
      showError(tokenForm, error);
    } finally {
      tokenButton.disabled = false;
    }
  });

  // ---- Get started: shown while the project has had no requests in the last 30 days.
  const OPENAI_KINDS = ["openai", "openai_compatible"];
  const EXAMPLES = {
    openai: { path: "/chat/completions", body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] }, auth: "Authorization: Bearer $OPENAI_API_KEY" },
    openai_compatible: { path: "/chat/completions", body: { model: "your-model", messages: [{ role: "user", content: "Hello" }] }, auth: "Authorization: Bearer $PROVIDER_API_KEY" },
    anthropic: { path: "/v1/messages", body: { model: "claude-3-5-haiku-latest", max_tokens: 256, messages: [{ role: "user", content: "Hello" }] }, auth: "x-api-key: $ANTHROPIC_API_KEY", extra: "anthropic-version: 2023-06-01" },
    gemini: { path: "/v1beta/models/gemini-2.0-flash:generateContent", body: { contents: [{ parts: [{ text: "Hello" }] }] }, auth: "x-goog-api-key: $GEMINI_API_KEY" },
    mistral: { path: "/chat/completions", body: { model: "mistral-small-latest", messages: [{ role: "user", content: "Hello" }] }, auth: "Authorization: Bearer $MISTRAL_API_KEY" },
    cohere: { path: "/v2/chat", body: { model: "command-r-plus", messages: [{ role: "user", content: "Hello" }] }, auth: "Authorization: Bearer $COHERE_API_KEY" },
    generic: { path: "/your/api/path", body: null, auth: "Authorization: Bearer $YOUR_API_KEY" },
  };

  /** A <pre><code> block with a label and a Copy button. */
  function codeBlock(id, labelText, text) {
    const block = el("div", null, { class: "code-block" });
    const head = el("div", null, { class: "code-head" });
    const code = el("code", text, { id: id });
    const pre = el("pre", null, { tabindex: "0", "aria-labelledby": id + "-label" });
    pre.append(code);
    const copy = Trough.copyButton(text, code, "Copy " + labelText);
    head.append(el("span", labelText, { class: "code-label", id: id + "-label" }), copy.button, copy.status);
    block.append(head, pre);
    return block;
  }

  function renderGetStarted() {
    const card = document.getElementById("get-started");
    if (!state.daily || state.services === null || state.tokens === null) return;
    if (state.daily.total.requests > 0) { card.hidden = true; return; }
    card.hidden = false;

    const service = state.services.find(function (s) { return OPENAI_KINDS.includes(s.kind); }) || state.services[0] || null;
    const kind = service ? service.kind : "openai";
    const baseURL = location.origin + (service && !OPENAI_KINDS.includes(kind) ? "/proxy/" + service.name : "/v1");
    const token = state.tokens[0] || null;
    const tokenText = token ? token.prefix + "…" : "trough_pt_…";
    const example = EXAMPLES[kind] || EXAMPLES.generic;
    const storedKey = !!(service && service.has_api_key);

    const body = document.getElementById("get-started-body");
    body.replaceChildren();
    const todo = el("ol", null, { class: "steps" });
    if (!service) todo.append(el("li", "Add a service below: the API your app calls (for OpenAI: name openai, kind openai, base URL https://api.openai.com/v1 and your OpenAI key)."));
    if (!token) todo.append(el("li", "Create a project token below: it is shown once, so keep it somewhere safe."));
    if (todo.children.length) {
      body.append(el("p", "First:"), todo);
    }

    body.append(el("p", service
      ? "Send requests for the " + service.name + " service (" + kind + ") to this base URL instead of the provider's:"
      : "Then send your OpenAI requests to this base URL instead of the provider's:"));
    body.append(codeBlock("gs-base-url", "Base URL", baseURL));
    body.append(el("p", "…with your project token in this header:"));
    body.append(codeBlock("gs-header", "Header", "X-Project-Token: " + tokenText));
    const note = el("p", null, { class: "hint" });
    note.append(token
      ? "The token was shown once, when it was created: paste the whole token in place of " + tokenText + " (lost it? create a new one below). "
      : "Paste your whole project token in place of " + tokenText + ". ");
    note.append(storedKey
      ? "Trough adds the provider key stored with the service."
      : "This service stores no provider key, so your app sends its own as usual.");
    body.append(note);

    // curl
    const lines = ["curl " + baseURL + example.path, "  -H \"X-Project-Token: " + tokenText + "\""];
    if (!storedKey) lines.push("  -H \"" + example.auth + "\"");
    if (example.extra) lines.push("  -H \"" + example.extra + "\"");
    if (example.body) lines.push("  -H \"Content-Type: application/json\"", "  -d '" + JSON.stringify(example.body) + "'");
    body.append(codeBlock("gs-curl", "curl", lines.join(" \\\n")));

    // Python
    body.append(codeBlock("gs-python", "Python", pythonSnippet(kind, baseURL, tokenText, example, storedKey)));
  }

  function pythonSnippet(kind, baseURL, tokenText, example, storedKey) {
    const tokenLine = "PROJECT_TOKEN = \"" + tokenText + "\"  # paste your whole project token";
    if (OPENAI_KINDS.includes(kind)) {
      return [
        storedKey ? "from openai import OpenAI" : "import os\n\nfrom openai import OpenAI", "",
        tokenLine, "",
        "client = OpenAI(",
        "    base_url=\"" + baseURL + "\",",
        storedKey ? "    api_key=PROJECT_TOKEN,  # Trough swaps in the provider key stored with the service"
          : "    api_key=os.environ[\"" + (kind === "openai" ? "OPENAI_API_KEY" : "PROVIDER_API_KEY") + "\"],",
        "    default_headers={\"X-Project-Token\": PROJECT_TOKEN},",
        ")",
        "reply = client.chat.completions.create(",
        "    model=\"" + example.body.model + "\",",
        "    messages=[{\"role\": \"user\", \"content\": \"Hello\"}],",
        ")",
        "print(reply.choices[0].message.content)",
      ].join("\n");
    }
    if (kind === "anthropic") {
      return [
        storedKey ? "import anthropic" : "import os\n\nimport anthropic", "",
        tokenLine, "",
        "client = anthropic.Anthropic(",
        "    base_url=\"" + baseURL + "\",",
        storedKey ? "    api_key=PROJECT_TOKEN,  # Trough swaps in the provider key stored with the service"
          : "    api_key=os.environ[\"ANTHROPIC_API_KEY\"],",
        "    default_headers={\"X-Project-Token\": PROJECT_TOKEN},",
        ")",
        "message = client.messages.create(",
        "    model=\"" + example.body.model + "\",",
        "    max_tokens=256,",
        "    messages=[{\"role\": \"user\", \"content\": \"Hello\"}],",
        ")",
        "print(message.content[0].text)",
      ].join("\n");
    }
    const headers = ["\"X-Project-Token\": PROJECT_TOKEN"];
    if (!storedKey) {
      const [name, value] = example.auth.split(": ");
      headers.push("\"" + name + "\": " + (value.startsWith("Bearer ") ? "\"Bearer \" + " : "") + "os.environ[\"" + value.replace(/^Bearer /, "").replace(/^\$/, "") + "\"]");
    }
    if (example.extra) headers.push("\"" + example.extra.split(": ")[0] + "\": \"" + example.extra.split(": ")[1] + "\"");
    if (example.body) headers.push("\"Content-Type\": \"application/json\"");
    return [
      storedKey ? "import json\nimport urllib.request" : "import json\nimport os\nimport urllib.request", "",
      tokenLine, "",
      "request = urllib.request.Request(",
      "    \"" + baseURL + example.path + "\",",
      example.body ? "    data=json.dumps(" + JSON.stringify(example.body) + ").encode()," : null,
      "    headers={" + headers.join(", ") + "},",
      ")",
      "with urllib.request.urlopen(request) as response:",
      "    print(json.load(response))",
    ].filter(function (line) { return line !== null; }).join("\n");
  }

  // ---- Load everything; each section reports its own errors.
  loadServices();
  loadTokens();
  loadDaily();
  for (const [by, title, heading] of BREAKDOWNS) loadBreakdown(by, title, heading);
  const summary = await loadSummary();
  loadHourly(summary);
})();
