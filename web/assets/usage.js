// Usage figures shared by the projects and project pages (window.TroughUsage): money exactly as the API's
// decimal strings, request counts with thousands separators, and the budget bar.
(function () {
  "use strict";
  const { el } = Trough;
  const counts = new Intl.NumberFormat("en-US");

  /** "$" + the API's decimal string, untouched (never parsed to a float), or a dash. */
  function usd(value) { return value === null || value === undefined || value === "" ? "—" : "$" + value; }

  /** 7412 → "7,412". */
  function count(value) { return counts.format(value || 0); }

  /** A decimal dollar string as BigInt nano-dollars (exact), or null when it is not one. */
  function nanos(value) {
    const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(String(value === null || value === undefined ? "" : value));
    if (!match) return null;
    return BigInt(match[1]) * BigInt(1000000000) + BigInt((match[2] || "").padEnd(9, "0"));
  }

  /** Whether dollar string a is more than b (exactly; false when either is missing). */
  function exceeds(a, b) {
    const x = nanos(a), y = nanos(b);
    return x !== null && y !== null && x > y;
  }

  /** Whether a dollar string is zero (or missing). */
  function isZero(value) { const n = nanos(value); return n === null || n === BigInt(0); }

  /** error_rate (0.0833) → "8.33%". */
  function rate(value) { return (Math.round((value || 0) * 10000) / 100).toFixed(2) + "%"; }

  /** avg_latency_ms (12.5) → "12.5 ms". */
  function latency(value) { return counts.format(Math.round((value || 0) * 10) / 10) + " ms"; }

  /** The bar's width in percent (0–100) for a percent_used string; only for drawing. */
  function barWidth(percent) {
    const value = parseFloat(percent);
    return isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
  }

  /**
   * The budget bar's content: spent of budget, % used (text and a progressbar), remaining, projected month-end.
   * `budget` is the API's Budget or null; `spentUsd` is this month's spend, shown when there is no budget.
   */
  function budgetBar(budget, spentUsd) {
    const wrap = el("div", null, { class: "budget" });
    if (!budget) {
      wrap.append(el("p", "No monthly budget" + (spentUsd ? ": " + usd(spentUsd) + " spent this month." : "."), { class: "budget-figures" }));
      return wrap;
    }
    const percent = budget.percent_used;
    const over = percent !== null && percent !== undefined && barWidth(percent) >= 100;
    const percentText = percent === null || percent === undefined ? "—" : percent + "%";

    const figures = el("p", null, { class: "budget-figures" });
    figures.append(el("strong", usd(budget.spent_usd)), " of " + usd(budget.monthly_budget_usd) + " spent · ",
      el("strong", percentText + " used", { class: "budget-percent" }));
    wrap.append(figures);

    const meter = el("div", null, {
      class: "meter" + (over ? " over" : ""), role: "progressbar", "aria-label": "Monthly budget used",
      "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(barWidth(percent)),
      "aria-valuetext": percentText + " used: " + usd(budget.spent_usd) + " of " + usd(budget.monthly_budget_usd),
    });
    const fill = el("div", null, { class: "meter-fill" });
    fill.style.width = barWidth(percent) + "%";
    meter.append(fill);
    wrap.append(meter);

    wrap.append(el("p", usd(budget.remaining_usd) + " remaining · projected " + usd(budget.projected_usd) + " by month-end · "
      + (budget.budget_hard_cap ? "requests stop when it is spent" : "requests go on past it (no hard cap)"), { class: "muted budget-more" }));
    if (over) {
      wrap.append(el("p", "The budget for this month is spent." + (budget.budget_hard_cap ? " Requests are refused until the month ends or the budget is raised." : ""), { class: "warn" }));
    } else if (exceeds(budget.projected_usd, budget.monthly_budget_usd)) {
      wrap.append(el("p", "At this pace the month ends at " + usd(budget.projected_usd) + ", over the budget.", { class: "warn" }));
    }
    return wrap;
  }

  window.TroughUsage = {
    usd: usd, count: count, nanos: nanos, exceeds: exceeds, isZero: isZero, rate: rate, latency: latency,
    barWidth: barWidth, budgetBar: budgetBar,
  };
})();
