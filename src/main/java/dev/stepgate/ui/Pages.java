package dev.stepgate.ui;

import dev.stepgate.proxy.Html;
import static dev.stepgate.proxy.Html.esc;

import dev.stepgate.stepup.AccountAction;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The gateway's pages as HTML strings. Plain server-rendered markup; one small script. */
public final class Pages {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private Pages() {}

  /** A passkey as the account page lists it; {@code authenticator} is the provider's name when known. */
  public record PasskeyView(String id, String label, Instant createdAt, Optional<Instant> lastUsedAt, boolean synced,
      Optional<String> authenticator, boolean viaRecovery) {}

  /**
   * A session as the account page lists it: by its handle, never its id. {@code passkey} is the
   * label of the passkey it signed in with, when that passkey is still on the account.
   */
  public record SessionView(String handle, String platform, String browser, Instant signedInAt, Instant lastSeenAt,
      Optional<String> passkey, boolean current) {}

  /** Who the account page is for, as the page script hands it to the browser's passkey provider (Signal API). */
  public record AccountOwner(String username, String displayName, String userId, String rpId) {}

  public static String login(String rd, boolean canRegister) {
    var body = "<h1>Sign in</h1>"
        + "<p class=\"lead\">Use the passkey on this device, your phone, or a security key.</p>"
        + "<form id=\"login-form\" novalidate>"
        + "<label for=\"username\">Username <span class=\"lead\">(optional)</span></label>"
        + "<input id=\"username\" name=\"username\" autocomplete=\"username webauthn\" autocapitalize=\"none\" spellcheck=\"false\">"
        + "<button id=\"passkey-button\" class=\"primary\" type=\"submit\">Sign in with a passkey</button>"
        + "</form>"
        + status()
        + "<p class=\"links\">"
        + (canRegister ? "No passkey yet? <a href=\"/.stepgate/register" + rdQuery(rd) + "\">Create an account</a>. " : "")
        + "Lost your passkey? <a href=\"/.stepgate/recover\">Recover your account</a>.</p>";
    return Html.page("Sign in", "login", data("rd", rd), body);
  }

  /**
   * Bolt-on mode (SPEC section 8): stepgate has no sign-in of its own; the app's login names the
   * caller. Shown where gateway mode would ask for a passkey sign-in.
   */
  public static String appLoginFirst(String rd) {
    var body = "<h1>Sign in to the app first</h1>"
        + "<p class=\"lead\" id=\"app-login-first\">This needs you to be signed in with the app\u2019s own login. "
        + "Sign in there, then come back to what you were doing.</p>"
        + "<p class=\"links\"><a id=\"app-home\" href=\"/\">Go to the app</a></p>";
    return Html.page("Sign in to the app first", "app-login", data("rd", rd), body);
  }

  /**
   * Bolt-on mode, {@code first_enrollment: on_step_up} (or an invite): the first passkey of an app
   * user, made in place; the page then goes on to {@code rd} (the step-up prompt that asked).
   */
  public static String firstPasskey(String rd, String username, Optional<String> invite, Optional<String> description) {
    var d = data("rd", rd);
    invite.ifPresent(i -> d.put("invite", i));
    var body = "<h1>Create your passkey</h1>"
        + description.map(t -> "<p class=\"action\" id=\"action\">To: " + esc(t) + "</p>").orElse("")
        + "<p class=\"lead\" id=\"first-passkey\">Sensitive actions here need a passkey, and your account has none yet. "
        + "Create one now: your device keeps it and unlocks it with your fingerprint, face or PIN. Then confirm with it.</p>"
        + "<form id=\"register-form\">"
        + "<label for=\"username\">Account</label><input id=\"username\" name=\"username\" value=\"" + esc(username) + "\" readonly>"
        + "<label for=\"label\">Name this passkey <span class=\"lead\">(optional, e.g. \u201cwork laptop\u201d)</span></label>"
        + "<input id=\"label\" name=\"label\" maxlength=\"64\">"
        + "<button id=\"passkey-button\" class=\"primary\" type=\"submit\">Create a passkey</button>"
        + "</form>"
        + status()
        + "<p class=\"links\"><a href=\"" + esc(cancelTarget(rd)) + "\">Cancel</a></p>";
    return Html.page("Create your passkey", "register", d, body);
  }

  /** Bolt-on mode, {@code first_enrollment: invite}: the first passkey needs an enrollment link from the app. */
  public static String enrollmentLinkNeeded(String username, Optional<String> description) {
    var body = "<h1>You need an enrollment link</h1>"
        + description.map(t -> "<p class=\"action\" id=\"action\">To: " + esc(t) + "</p>").orElse("")
        + "<p class=\"lead\" id=\"enrollment-link-needed\">Sensitive actions here need a passkey, and the account "
        + esc(username) + " has none yet. The app sends an enrollment link to set one up: look for it in your email, "
        + "or ask the app\u2019s support for one. Open it while you are signed in to the app.</p>"
        + "<p class=\"links\"><a href=\"/\">Back to the app</a></p>";
    return Html.page("You need an enrollment link", body, null);
  }

  public static String register(String rd, Optional<String> invite, Optional<String> signedInAs) {
    var d = data("rd", rd);
    invite.ifPresent(i -> d.put("invite", i));
    var user = signedInAs.map(u -> "<input id=\"username\" name=\"username\" value=\"" + esc(u) + "\" readonly>")
        .orElse("<input id=\"username\" name=\"username\" required autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\">");
    var body = "<h1>" + (signedInAs.isPresent() ? "Add a passkey" : "Create your account") + "</h1>"
        + "<p class=\"lead\">A passkey replaces your password: your device keeps it and unlocks it with your fingerprint, face or PIN.</p>"
        + "<form id=\"register-form\">"
        + "<label for=\"username\">Username</label>" + user
        + (signedInAs.isPresent() ? "" : "<label for=\"display-name\">Your name <span class=\"lead\">(optional)</span></label>"
            + "<input id=\"display-name\" name=\"displayName\" autocomplete=\"name\">")
        + "<label for=\"label\">Name this passkey <span class=\"lead\">(optional, e.g. \u201cwork laptop\u201d)</span></label>"
        + "<input id=\"label\" name=\"label\" maxlength=\"64\">"
        + "<button id=\"passkey-button\" class=\"primary\" type=\"submit\">Create a passkey</button>"
        + "</form>"
        + status()
        + "<p class=\"links\">Already have a passkey? <a href=\"/.stepgate/login" + rdQuery(rd) + "\">Sign in</a>.</p>";
    return Html.page(signedInAs.isPresent() ? "Add a passkey" : "Create your account", "register", d, body);
  }

  /**
   * The account recovery page (SPEC section 4): a username and recovery code, or with a recovery
   * link's {@code token} that token, open a recovery session; the page then enrolls a new passkey
   * with the register page's form and script.
   */
  public static String recover(Optional<String> token) {
    var d = data("after", "/.stepgate/account");
    token.ifPresent(t -> d.put("token", t));
    var body = "<h1>Recover your account</h1>"
        + "<p class=\"lead\">Lost your passkeys? Use one of your recovery codes (or your recovery link), then create a new "
        + "passkey on this device. A new passkey cannot approve sensitive actions until it is a day old.</p>"
        + "<form id=\"recover-form\"" + (token.isPresent() ? " hidden" : "") + ">"
        + "<label for=\"recover-username\">Username</label>"
        + "<input id=\"recover-username\" name=\"username\" required autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\">"
        + "<label for=\"code\">Recovery code</label>"
        + "<input id=\"code\" name=\"code\" required autocomplete=\"one-time-code\" autocapitalize=\"characters\" spellcheck=\"false\">"
        + "<button id=\"recover-button\" class=\"primary\" type=\"submit\">Continue</button>"
        + "</form>"
        + "<form id=\"register-form\" hidden>"
        + "<label for=\"username\">Username</label><input id=\"username\" name=\"username\" readonly>"
        + "<label for=\"label\">Name this passkey <span class=\"lead\">(optional, e.g. \u201cwork laptop\u201d)</span></label>"
        + "<input id=\"label\" name=\"label\" maxlength=\"64\">"
        + "<button id=\"passkey-button\" class=\"primary\" type=\"submit\">Create a passkey</button>"
        + "</form>"
        + status()
        + "<p class=\"links\">No code and no link? Ask your administrator for a recovery link.</p>";
    return Html.page("Recover your account", "recover", d, body);
  }

  /**
   * The re-authentication prompt. {@code description} is the rule's text ("Change the email
   * address on your account"); {@code refusal} explains why the passkeys at hand do not qualify.
   */
  public static String stepUp(String rd, String rule, String username, Optional<String> description, Optional<String> held,
      Optional<String> refusal) {
    var d = data("rd", rd);
    d.put("rule", rule);
    held.ifPresent(h -> d.put("held", h));
    var body = "<h1>Confirm it\u2019s you</h1>"
        + description.map(t -> "<p class=\"action\" id=\"action\">Confirm: " + esc(t) + "</p>").orElse("")
        + "<p class=\"lead\">This action needs a fresh check with your passkey, " + esc(username) + ".</p>"
        + refusal.map(r -> "<p class=\"status error\" id=\"refusal\">" + esc(r) + "</p>").orElse("")
        + "<form id=\"step-up-form\">"
        + "<button id=\"passkey-button\" class=\"primary\" type=\"submit\">Confirm with your passkey</button>"
        + "</form>"
        + status()
        + "<p class=\"links\"><a href=\"" + esc(cancelTarget(rd)) + "\">Cancel</a> \u00b7 "
        + "<a href=\"/.stepgate/account\">Manage your passkeys</a></p>";
    return Html.page("Confirm it\u2019s you", "step-up", d, body);
  }

  /**
   * The account page: the passkeys (rename inline, "Remove"), "Add a passkey" (with a nudge to add
   * a backup while there is only one), and where the account is signed in (end one session, or
   * all others). Adding and removing a passkey each first ask for a step-up made for that very
   * action ({@link AccountAction}) in a prompt that names it, then run the action; the script does
   * both in one flow. Every value a user or a browser chose is escaped.
   */
  public static String account(AccountOwner owner, List<PasskeyView> passkeys, List<SessionView> sessions) {
    var rows = new StringBuilder();
    for (var p : passkeys) {
      rows.append("<tr><td><span class=\"label\" data-label-of=\"").append(esc(p.id())).append("\">").append(esc(p.label()))
          .append("</span> <button class=\"link\" type=\"button\" data-rename=\"").append(esc(p.id()))
          .append("\" data-label=\"").append(esc(p.label())).append("\">Rename</button></td><td>")
          .append(p.authenticator().map(Html::esc).orElse("<span class=\"lead\">unknown</span>"))
          .append("</td><td><span class=\"tag\">").append(p.synced() ? "synced" : "device-bound")
          .append("</span>").append(p.viaRecovery() ? " <span class=\"tag\">added by recovery</span>" : "")
          .append("</td><td>").append(DAY.format(p.createdAt()))
          .append("</td><td>").append(p.lastUsedAt().map(DAY::format).orElse("never")).append("</td><td>")
          .append(passkeys.size() > 1
              ? "<button class=\"secondary\" type=\"button\" data-revoke=\"" + esc(p.id()) + "\" data-label=\""
                  + esc(p.label()) + "\"" + actionData(AccountAction.REVOKE_PASSKEY) + ">Remove</button>"
              : "<span class=\"lead\">your only passkey</span>")
          .append("</td></tr>");
    }
    boolean onlyOne = passkeys.size() == 1;
    var nudge = onlyOne
        ? "<div class=\"action\" id=\"backup-nudge\"><b>Add a backup passkey.</b> You have only one passkey: if you "
            + "lose that device, you lose access. Add a second one on another device or a security key.</div>"
        : "";
    var body = "<h1>Your passkeys</h1><p class=\"lead\">Signed in as <b id=\"account-user\">" + esc(owner.username())
        + "</b>.</p>"
        + nudge
        + "<table id=\"passkeys\"><thead><tr><th>Name</th><th>Provider</th><th>Kind</th><th>Added</th><th>Last used</th>"
        + "<th></th></tr></thead><tbody>" + rows + "</tbody></table>"
        + "<h2>" + (onlyOne ? "Add a backup passkey" : "Add a passkey") + "</h2><form id=\"register-form\""
        + actionData(AccountAction.ADD_PASSKEY) + ">"
        + "<input id=\"username\" type=\"hidden\" value=\"" + esc(owner.username()) + "\">"
        + "<label for=\"label\">Name it <span class=\"lead\">(e.g. \u201cphone\u201d)</span></label>"
        + "<input id=\"label\" name=\"label\" maxlength=\"64\">"
        + "<button id=\"passkey-button\" class=\"primary\" type=\"submit\">"
        + (onlyOne ? "Add a backup passkey" : "Add a passkey") + "</button></form>"
        + "<h2>Recovery codes</h2><p class=\"lead\">If you lose every passkey, one of these codes lets you add a new one "
        + "at <a href=\"/.stepgate/recover\">/.stepgate/recover</a>. New codes replace the old ones.</p>"
        + "<button id=\"codes-button\" class=\"secondary\" type=\"button\"" + actionData(AccountAction.RENEW_RECOVERY_CODES)
        + ">Get new recovery codes</button>"
        + status()
        + sessionsSection(sessions)
        + confirmDialog()
        + "<div class=\"links\"><a href=\"/\">Back to the app</a> \u00b7 " + signOutButton() + "</div>";
    var d = data("rd", "/.stepgate/account");
    d.put("after", "/.stepgate/account");
    d.put("rp-id", owner.rpId());
    d.put("user-id", owner.userId());
    d.put("user", owner.username());
    d.put("display-name", owner.displayName());
    return Html.page("Your passkeys", "account", d, body).replace("class=\"card\"", "class=\"card wide\"");
  }

  /** Where the account is signed in: each session by device, with "End" (and "this session" marked). */
  private static String sessionsSection(List<SessionView> sessions) {
    var rows = new StringBuilder();
    boolean others = false;
    for (var s : sessions) {
      others |= !s.current();
      var device = (s.browser().isEmpty() ? "A browser" : esc(s.browser())) + (s.platform().isEmpty() ? "" : " on " + esc(s.platform()));
      rows.append("<tr data-session=\"").append(esc(s.handle())).append("\"><td>").append(device)
          .append(s.current() ? " <span class=\"tag\" id=\"this-session\">this session</span>" : "")
          .append("</td><td>").append(DAY.format(s.signedInAt())).append("</td><td>").append(DAY.format(s.lastSeenAt()))
          .append("</td><td>").append(s.passkey().map(Html::esc).orElse("<span class=\"lead\">a removed passkey</span>"))
          .append("</td><td>")
          .append(s.current() ? "" : "<button class=\"secondary\" type=\"button\" data-end-session=\"" + esc(s.handle())
              + "\">Sign out</button>")
          .append("</td></tr>");
    }
    return "<h2>Where you\u2019re signed in</h2>"
        + "<table id=\"sessions\"><thead><tr><th>Device</th><th>Signed in</th><th>Last seen</th><th>Passkey</th><th></th>"
        + "</tr></thead><tbody>" + rows + "</tbody></table>"
        + (others ? "<button id=\"end-others\" class=\"secondary\" type=\"button\">Sign out everywhere else</button>" : "");
  }

  /**
   * The step-up prompt of an account action, filled in by the script from the button's {@code
   * data-action} / {@code data-title}: heading "Add a passkey", "Confirm it's you to add a
   * passkey", then the passkey check.
   */
  private static String confirmDialog() {
    return "<dialog id=\"confirm-dialog\" aria-labelledby=\"confirm-title\">"
        + "<h2 id=\"confirm-title\"></h2>"
        + "<p class=\"action\" id=\"confirm-action\"></p>"
        + "<p class=\"lead\" id=\"confirm-detail\"></p>"
        + "<form id=\"confirm-form\">"
        + "<button id=\"confirm-button\" class=\"primary\" type=\"submit\">Confirm with your passkey</button>"
        + "<button id=\"confirm-cancel\" class=\"secondary\" type=\"button\">Cancel</button>"
        + "</form>"
        + "<p id=\"confirm-status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>"
        + "<p id=\"confirm-next\" class=\"next\"></p>"
        + "</dialog>";
  }

  private static String actionData(AccountAction action) {
    return " data-action=\"" + esc(action.ruleName()) + "\" data-title=\"" + esc(action.title()) + "\"";
  }

  /** Sign-out is a same-origin POST (a GET, or a form from another site, ends nothing). */
  static String signOutButton() {
    return "<form class=\"inline\" method=\"post\" action=\"/.stepgate/logout\">"
        + "<button id=\"sign-out\" class=\"link\" type=\"submit\">Sign out</button></form>";
  }

  /** {@code GET /.stepgate/logout} while signed in: asks, and the button POSTs. */
  public static String signOut(String username) {
    return Html.page("Sign out", "<h1>Sign out</h1><p class=\"lead\">Signed in as <b>" + esc(username) + "</b>.</p>"
        + "<form method=\"post\" action=\"/.stepgate/logout\">"
        + "<button id=\"sign-out\" class=\"primary\" type=\"submit\">Sign out</button></form>"
        + "<p class=\"links\"><a href=\"/\">Stay signed in and go back to the app</a></p>", null);
  }

  /** A sign-out POST that did not come from a page of this site. */
  public static String signOutRefused() {
    return Html.page("Sign-out refused", "<h1>Sign-out refused</h1><p>This sign-out request did not come from a page "
        + "of this site, so nothing was changed.</p><p><a href=\"/.stepgate/logout\">Sign out here</a></p>", null);
  }

  public static String signedOut() {
    return Html.page("Signed out", "<h1>You are signed out</h1><p><a href=\"/.stepgate/login\">Sign in again</a></p>", null);
  }

  private static String status() {
    return "<p id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p><p id=\"next\" class=\"next\"></p>";
  }

  private static String rdQuery(String rd) {
    return rd == null || rd.equals("/") ? "" : "?rd=" + java.net.URLEncoder.encode(rd, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String cancelTarget(String rd) {
    return "/";
  }

  private static Map<String, String> data(String key, String value) {
    var m = new LinkedHashMap<String, String>();
    m.put(key, value);
    return m;
  }
}
