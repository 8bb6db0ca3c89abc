// Invite links: /invite.html#token=… (a fragment never reaches server logs) or ?token=….
(async function () {
  const card = document.getElementById("invite-card");
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || Trough.qs("token");
  const checking = document.getElementById("checking");
  if (!token) {
    checking.hidden = true;
    Trough.showError(card, new Error("This invite link is incomplete: ask for a new one."));
    return;
  }

  let me = null;
  try { me = await Trough.api("GET", "/api/me"); } catch (_) { /* not signed in */ }
  checking.hidden = true;

  if (me) {
    // Signed in: one click to join.
    document.getElementById("invite-user").textContent = me.user.email;
    document.getElementById("signed-in").hidden = false;
    const join = document.getElementById("join");
    join.addEventListener("click", async function () {
      Trough.showError(card, null);
      join.disabled = true;
      try {
        await Trough.api("POST", "/api/invites/accept", { token: token });
        location.href = "/account.html";
      } catch (error) {
        Trough.showError(card, error);
        join.disabled = false;
      }
    });
  } else {
    // Signed out: sign up or log in, carrying the token along.
    const query = "?invite=" + encodeURIComponent(token);
    document.getElementById("signup-link").href = "/signup.html" + query;
    document.getElementById("login-link").href = "/login.html" + query;
    document.getElementById("signed-out").hidden = false;
  }
})();
