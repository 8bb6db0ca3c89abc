// Sign-up: a new organisation, or joining one through ?invite=TOKEN.
(function () {
  const form = document.getElementById("signup-form");
  const invite = Trough.qs("invite");
  if (invite) {
    document.getElementById("tenant-field").hidden = true;
    document.getElementById("tenant_name").required = false;
    document.getElementById("invite-note").hidden = false;
    document.getElementById("login-link").href = "/login.html?invite=" + encodeURIComponent(invite);
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    Trough.showError(form, null);
    const button = document.getElementById("signup-submit");
    button.disabled = true;
    const body = { email: form.email.value, password: form.password.value };
    if (invite) body.invite_token = invite; else body.tenant_name = form.tenant_name.value;
    try {
      await Trough.api("POST", "/api/auth/signup", body);
      location.href = Trough.nextPath("/account.html");
    } catch (error) {
      Trough.showError(form, error);
      button.disabled = false;
    }
  });
})();
