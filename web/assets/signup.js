// Sign-up: creates a new organisation, or joins one with ?invite=TOKEN.
(function () {
  const form = document.getElementById("signup-form");
  const button = document.getElementById("signup-submit");
  const invite = Trough.qs("invite");

  // Carry ?invite= and ?next= over to the login links.
  const carry = new URLSearchParams();
  if (invite) carry.set("invite", invite);
  if (Trough.qs("next")) carry.set("next", Trough.qs("next"));
  if (carry.toString()) {
    for (const id of ["login-link", "login-nav"]) document.getElementById(id).href = "/login.html?" + carry;
  }

  if (invite) {
    // Joining an existing organisation: no organisation name to ask for.
    document.getElementById("tenant-field").hidden = true;
    document.getElementById("tenant_name").required = false;
    document.getElementById("invite-note").hidden = false;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    Trough.showError(form, null);
    const body = { email: form.email.value.trim(), password: form.password.value };
    if (invite) body.invite_token = invite; else body.tenant_name = form.tenant_name.value.trim();
    button.disabled = true;
    try {
      await Trough.api("POST", "/api/auth/signup", body); // 201 + session cookie + csrf_token
      location.href = Trough.nextPath("/account.html");
    } catch (error) {
      Trough.showError(form, error);
      button.disabled = false;
    }
  });
})();
