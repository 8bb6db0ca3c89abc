// Landing page: signed-in visitors go straight to their account.
(async function () {
  try {
    await Trough.api("GET", "/api/me");
    location.replace("/account.html");
  } catch (_) { /* not signed in (401): stay on the landing page */ }
})();
