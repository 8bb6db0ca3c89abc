// The landing page sends signed-in users to their account.
(async function () {
  try { await Trough.api("GET", "/api/me"); location.href = "/account.html"; } catch (_) { /* stay */ }
})();
