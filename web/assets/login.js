// Login; with ?invite=TOKEN the invite is accepted right after.
(function () {
  const form = document.getElementById("login-form");
  const invite = Trough.qs("invite");
  if (invite) document.getElementById("signup-link").href = "/signup.html?invite=" + encodeURIComponent(invite);
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    Trough.showError(form, null);
    const button = document.getElementById("login-submit");
    button.disabled = true;
    try {
      await Trough.api("POST", "/api/auth/login", { email: form.email.value, password: form.password.value });
      if (invite) await Trough.api("POST", "/api/invites/accept", { token: invite });
      location.href = invite ? "/account.html" : Trough.nextPath("/account.html");
    } catch (error) {
      Trough.showError(form, error);
      button.disabled = false;
    }
  });
})();
