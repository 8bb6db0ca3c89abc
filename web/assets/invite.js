// Accepts an invite link: /invite.html#token=… (the token never reaches server logs in a query string).
(async function () {
  const card = document.getElementById("invite-card");
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || Trough.qs("token");
  if (!token) { Trough.showError(card, new Error("This invite link is incomplete.")); return; }
  try {
    const me = await Trough.api("GET", "/api/me");
    document.getElementById("invite-user").textContent = me.user.email;
    document.getElementById("signed-in").hidden = false;
    document.getElementById("join").addEventListener("click", async function () {
      Trough.showError(card, null);
      try { await Trough.api("POST", "/api/invites/accept", { token }); location.href = "/account.html"; }
      catch (error) { Trough.showError(card, error); }
    });
  } catch (_) {
    document.getElementById("signup-link").href = "/signup.html?invite=" + encodeURIComponent(token);
    document.getElementById("login-link").href = "/login.html?invite=" + encodeURIComponent(token);
    document.getElementById("signed-out").hidden = false;
  }
})();
