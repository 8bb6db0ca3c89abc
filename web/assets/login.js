// Login; with ?invite=TOKEN the invite is accepted right after signing in.
(function () {
  const form = document.getElementById("login-form");
  const button = document.getElementById("login-submit");
  const invite = Trough.qs("invite");
  let signedIn = false; // so a failed invite does not make the user log in twice

  // Carry ?invite= and ?next= over to the sign-up links.
  const carry = new URLSearchParams();
  if (invite) carry.set("invite", invite);
  if (Trough.qs("next")) carry.set("next", Trough.qs("next"));
  if (carry.toString()) {
    for (const id of ["signup-link", "signup-nav"]) document.getElementById(id).href = "/signup.html?" + carry;
  }
  if (invite) document.getElementById("invite-note").hidden = false;

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    Trough.showError(form, null);
    button.disabled = true;
    try {
      if (!signedIn) {
        await Trough.api("POST", "/api/auth/login", { email: form.email.value.trim(), password: form.password.value });
        signedIn = true;
      }
      if (invite) {
        try {
          await Trough.api("POST", "/api/invites/accept", { token: invite });
        } catch (error) {
          error.message = "You are logged in, but the invite could not be accepted: " + error.message;
          button.textContent = "Try the invite again";
          document.getElementById("skip-invite").hidden = false;
          throw error;
        }
        location.href = "/account.html";
      } else {
        location.href = Trough.nextPath("/account.html");
      }
    } catch (error) {
      Trough.showError(form, error);
      button.disabled = false;
    }
  });
})();
