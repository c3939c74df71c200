// stepgate pages: passkey sign-in, enrollment, step-up and account. No framework, no build step.
// The JSON shapes are WebAuthn Level 3's (parse*OptionsFromJSON / toJSON); browsers without
// those (Safari before 18.4) get the same conversion by hand below.
"use strict";
(function () {
  const page = document.querySelector("main[data-page]");
  if (!page) return;
  const kind = page.dataset.page;
  const statusEl = document.getElementById("status");
  const nextEl = document.getElementById("next");

  // ---- base64url and JSON conversion (WebAuthn L3 §5.1.9, §5.1.10 fallbacks) ----
  function b64urlToBuf(s) {
    const pad = "=".repeat((4 - (s.length % 4)) % 4);
    const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function bufToB64url(buf) {
    const bytes = new Uint8Array(buf);
    let bin = "";
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function creationOptions(json) {
    if (window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON)
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    const o = Object.assign({}, json);
    o.challenge = b64urlToBuf(json.challenge);
    o.user = Object.assign({}, json.user, { id: b64urlToBuf(json.user.id) });
    o.excludeCredentials = (json.excludeCredentials || []).map((c) => Object.assign({}, c, { id: b64urlToBuf(c.id) }));
    return o;
  }
  function requestOptions(json) {
    if (window.PublicKeyCredential && PublicKeyCredential.parseRequestOptionsFromJSON)
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    const o = Object.assign({}, json);
    o.challenge = b64urlToBuf(json.challenge);
    o.allowCredentials = (json.allowCredentials || []).map((c) => Object.assign({}, c, { id: b64urlToBuf(c.id) }));
    return o;
  }
  function credentialJSON(cred) {
    if (typeof cred.toJSON === "function") return cred.toJSON();
    const r = cred.response;
    const response = { clientDataJSON: bufToB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = bufToB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
      if (r.getAuthenticatorData) response.authenticatorData = bufToB64url(r.getAuthenticatorData());
      if (r.getPublicKeyAlgorithm) response.publicKeyAlgorithm = r.getPublicKeyAlgorithm();
      if (r.getPublicKey && r.getPublicKey()) response.publicKey = bufToB64url(r.getPublicKey());
    } else {
      response.authenticatorData = bufToB64url(r.authenticatorData);
      response.signature = bufToB64url(r.signature);
      if (r.userHandle) response.userHandle = bufToB64url(r.userHandle);
    }
    return {
      id: cred.id, rawId: bufToB64url(cred.rawId), type: cred.type, response,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
    };
  }

  // ---- talking to the gateway ----
  class Problem extends Error {
    constructor(body, status) {
      super((body && body.detail) || "Something went wrong (" + status + ").");
      this.body = body || {};
      this.status = status;
    }
  }
  async function api(path, body) {
    const res = await fetch("/.stepgate/api/" + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body || {}),
    });
    let json = null;
    try { json = await res.json(); } catch (e) { /* empty body */ }
    if (!res.ok) throw new Problem(json, res.status);
    return json;
  }
  async function apiGet(path) {
    const res = await fetch("/.stepgate/api/" + path, {
      headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    let json = null;
    try { json = await res.json(); } catch (e) { /* empty body */ }
    if (!res.ok) throw new Problem(json, res.status);
    return json;
  }

  // ---- the Signal API (WebAuthn L3 §5.1.10): tells the browser's passkey provider what this site
  // knows, so it can hide or update passkeys. Feature-detected, never awaited by anything that
  // matters, and a failure is ignored: the site works the same without it. ----
  function signal(method, details) {
    try {
      if (window.PublicKeyCredential && typeof PublicKeyCredential[method] === "function")
        Promise.resolve(PublicKeyCredential[method](details)).catch(() => {});
    } catch (e) { /* never in the user's way */ }
  }
  function hasUnknownCredentialType(err) {
    return err instanceof Problem && String(err.body.type || "").endsWith(":unknown-credential");
  }

  // ---- the client-event beacon: a WebAuthn call that failed in the browser never reaches the
  // gateway otherwise, so cancelled and timed-out ceremonies would be missing from its funnel ----
  const REPORTED = ["NotAllowedError", "InvalidStateError", "SecurityError", "AbortError", "NotSupportedError",
    "ConstraintError", "UnknownError", "TypeError"];
  function report(kind, err, startedAt, rule) {
    try {
      const name = err && REPORTED.indexOf(err.name) >= 0 ? err.name : "UnknownError";
      const event = { kind, error: name };
      if (startedAt) event.elapsedMs = Math.max(0, Math.round(Date.now() - startedAt));
      if (rule && kind === "step_up") event.rule = rule;
      // keepalive: the page may be leaving; the answer does not matter, a failure is ignored.
      fetch("/.stepgate/api/client-events", {
        method: "POST", keepalive: true, credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(event),
      }).catch(() => {});
    } catch (e) { /* reporting never gets in the user's way */ }
  }
  /** navigator.credentials[method](options), reporting a rejection as {@code kind} before passing it on. */
  async function webauthn(kind, method, options, rule) {
    const startedAt = Date.now();
    try {
      return await navigator.credentials[method](options);
    } catch (e) {
      if (!options.mediation || options.mediation !== "conditional") report(kind, e, startedAt, rule);
      throw e;
    }
  }

  // ---- messages: every failure says what happened and what to do next ----
  // While the account page's prompt is open, messages go into it (the page behind is inert).
  let sayTo = null;
  function say(text, cls, next) {
    const s = sayTo ? sayTo.status : statusEl;
    const n = sayTo ? sayTo.next : nextEl;
    s.textContent = text || "";
    s.className = "status" + (cls ? " " + cls : "");
    if (n) n.textContent = next || "";
  }
  function explain(err, ceremony) {
    const name = err && err.name;
    if (err instanceof Problem) {
      const type = String(err.body.type || "");
      if (type.endsWith(":ceremony-invalid"))
        return ["That attempt expired.", "Try again: the prompt is valid for a few minutes."];
      if (type.endsWith(":user-verification-required"))
        return ["Your passkey did not confirm it was you (no PIN, fingerprint or face check).",
          "Try again and unlock the passkey when asked, or use another passkey."];
      if (type.endsWith(":counter-regression"))
        return ["This passkey looks like a copy of another and was refused.",
          "Use another passkey, or ask your administrator for a recovery link."];
      if (type.endsWith(":step-up-not-qualified"))
        return [err.message, "Use a passkey that qualifies, or add one on your account page."];
      if (type.endsWith(":invalid-label")) return [err.message, "Choose another name."];
      if (type.endsWith(":session-not-found"))
        return ["That session has already ended.", "Reload the page to see where you are signed in."];
      if (type.endsWith(":step-up-required"))
        return ["Your check with your passkey has expired or was already used.", "Confirm it\u2019s you again."];
      return [err.message, ceremony === "register"
        ? "Check the details and try again, or ask for an enrollment link."
        : "Try again, or use another passkey."];
    }
    if (name === "NotAllowedError")
      return ["The passkey prompt was closed or timed out.",
        "Try again. On another device? Choose \u201cUse a phone or tablet\u201d in the prompt and scan the QR code."];
    if (name === "InvalidStateError")
      return ["This device already holds a passkey for this account.", ceremony === "account"
        ? "Add the new passkey on another device or a security key." : "Sign in with it instead."];
    if (name === "SecurityError")
      return ["The browser refused to use passkeys for this address.",
        "Open this page at " + location.origin + " exactly (https, or http://localhost)."];
    if (name === "NotSupportedError")
      return ["This device cannot create a passkey of the kind this site needs.", "Try another device or a security key."];
    if (name === "AbortError") return null;
    return ["Something went wrong: " + (err && err.message ? err.message : "unknown error") + ".", "Try again."];
  }
  function supported(kind) {
    if (window.PublicKeyCredential && navigator.credentials) return true;
    report(kind, { name: "NotSupportedError" });
    say("This browser cannot use passkeys.", "error",
      "Update your browser, or open this page on a phone or computer that supports passkeys.");
    return false;
  }
  function returnTo() {
    const rd = page.dataset.rd || "/";
    return rd.startsWith("/") && !rd.startsWith("//") && !rd.startsWith("/\\") ? rd : "/";
  }
  function busy(button, on) {
    if (button) button.disabled = on;
  }

  // ---- sign-in ----
  let conditional = null;
  async function login(username, mediation) {
    const start = await api("login/options", username ? { username } : {});
    const options = { publicKey: requestOptions(start.publicKey) };
    if (mediation === "conditional") {
      conditional = new AbortController();
      options.mediation = "conditional";
      options.signal = conditional.signal;
    }
    const cred = await webauthn("login", "get", options);
    try {
      await api("login/verify", { ceremonyId: start.ceremonyId, credential: credentialJSON(cred) });
    } catch (e) {
      // A passkey this site no longer knows (removed, or its account gone): its provider may hide it.
      if (hasUnknownCredentialType(e))
        signal("signalUnknownCredential", { rpId: start.publicKey.rpId || location.hostname, credentialId: cred.id });
      throw e;
    }
    say("Signed in.", "ok");
    location.assign(returnTo());
  }
  function setupLogin() {
    const form = document.getElementById("login-form");
    const button = document.getElementById("passkey-button");
    const user = document.getElementById("username");
    if (!supported("login")) { busy(button, true); return; }
    if (PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then((ok) => {
        if (ok) login(null, "conditional").catch((e) => { const m = explain(e); if (m) say(m[0], "error", m[1]); });
      });
    }
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (conditional) conditional.abort();
      busy(button, true);
      say("Waiting for your passkey\u2026");
      try {
        await login(user.value.trim() || null, "required");
      } catch (e) {
        const m = explain(e, "login");
        if (m) say(m[0], "error", m[1]); else say("");
      } finally { busy(button, false); }
    });
  }

  // ---- enrollment ----
  /** Creates a passkey from the register form's fields (options, create(), verify). */
  async function enroll() {
    const body = { username: document.getElementById("username").value.trim() };
    const display = document.getElementById("display-name");
    if (display && display.value.trim()) body.displayName = display.value.trim();
    if (page.dataset.invite) body.invite = page.dataset.invite;
    const start = await api("registration/options", body);
    const cred = await webauthn("registration", "create", { publicKey: creationOptions(start.publicKey) });
    const label = document.getElementById("label");
    return api("registration/verify", {
      ceremonyId: start.ceremonyId, credential: credentialJSON(cred),
      label: label && label.value.trim() ? label.value.trim() : undefined,
    });
  }
  /**
   * Shows recovery codes once, in place of the status line, with Copy and Download; {@code next}
   * (a URL) continues.
   */
  function showCodes(codes, next) {
    const old = document.getElementById("recovery-codes-box");
    if (old) old.remove();
    const box = document.createElement("div");
    box.id = "recovery-codes-box";
    const heading = document.createElement("p");
    heading.textContent = "Your recovery codes. Save them somewhere safe: each works once, and this is the only time they are shown.";
    const list = document.createElement("ol");
    list.id = "recovery-codes";
    list.className = "codes";
    codes.forEach((c) => { const li = document.createElement("li"); li.textContent = c; list.appendChild(li); });
    const text = "stepgate recovery codes for " + location.host + "\n" + codes.join("\n") + "\n";
    const actions = document.createElement("p");
    actions.className = "links";
    if (navigator.clipboard && navigator.clipboard.writeText) {
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "secondary";
      copy.id = "codes-copy";
      copy.textContent = "Copy";
      copy.addEventListener("click", () => navigator.clipboard.writeText(text).then(
        () => { copy.textContent = "Copied"; }, () => { copy.textContent = "Copy failed: select the codes instead"; }));
      actions.appendChild(copy);
    }
    const download = document.createElement("a");
    download.id = "codes-download";
    download.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    download.download = "stepgate-recovery-codes.txt";
    download.textContent = "Download";
    actions.append(" ", download);
    box.append(heading, list, actions);
    if (next) {
      const go = document.createElement("a");
      go.id = "codes-continue";
      go.href = next;
      go.textContent = "I have saved them \u2014 continue";
      box.appendChild(go);
    }
    statusEl.after(box);
  }
  function setupRegister() {
    const form = document.getElementById("register-form");
    const button = document.getElementById("passkey-button");
    if (!supported("registration")) { busy(button, true); return; }
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      busy(button, true);
      say("Creating your passkey\u2026");
      try {
        const done = await enroll();
        say("Your passkey is ready.", "ok");
        // A new account's recovery codes are shown before going on: they cannot be shown again.
        if (done && done.recoveryCodes) { form.hidden = true; showCodes(done.recoveryCodes, page.dataset.after || returnTo()); return; }
        location.assign(page.dataset.after || returnTo());
      } catch (e) {
        const m = explain(e, "register");
        if (m) say(m[0], "error", m[1]); else say("");
      } finally { busy(button, false); }
    });
  }

  // ---- recovery: a code or a link's token opens a recovery session, which enrolls one passkey ----
  function setupRecover() {
    const form = document.getElementById("recover-form");
    const button = document.getElementById("recover-button");
    async function verify(body) {
      busy(button, true);
      say("Checking\u2026");
      try {
        const r = await api("recovery/verify", body);
        document.getElementById("username").value = r.user || "";
        form.hidden = true;
        document.getElementById("register-form").hidden = false;
        say("Recovered. Now create a new passkey on this device (within 10 minutes).", "ok");
      } catch (e) {
        form.hidden = false;
        say(e.message, "error", "Check the username and code, or ask your administrator for a new recovery link.");
      } finally { busy(button, false); }
    }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      verify({ username: document.getElementById("recover-username").value.trim(),
        code: document.getElementById("code").value.trim() });
    });
    setupRegister();
    if (page.dataset.token) {
      // The link's token is spent now: keep it out of the history and any later Referer.
      history.replaceState(null, "", location.pathname);
      verify({ token: page.dataset.token });
    }
  }

  // ---- step-up ----
  function setupStepUp() {
    const form = document.getElementById("step-up-form");
    const button = document.getElementById("passkey-button");
    if (!supported("step_up")) { busy(button, true); return; }
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      busy(button, true);
      say("Waiting for your passkey\u2026");
      try {
        const body = page.dataset.held ? { held: page.dataset.held } : {};
        const start = await api("step-up/options", body);
        body.rd = returnTo();
        if (page.dataset.rule) body.rule = page.dataset.rule;
        const cred = await webauthn("step_up", "get", { publicKey: requestOptions(start.publicKey) }, page.dataset.rule);
        const done = await api("step-up/verify", Object.assign(
          { ceremonyId: start.ceremonyId, credential: credentialJSON(cred) }, body));
        say("Confirmed.", "ok");
        location.assign(done.resume || returnTo());
      } catch (e) {
        const m = explain(e, "step-up");
        if (m) say(m[0], "error", m[1]); else say("");
      } finally { busy(button, false); }
    });
  }

  // ---- account: add and remove passkeys, each after a step-up made for that action ----
  /** A user-verified step-up with one of the account's passkeys, recorded for {@code action}. */
  async function stepUpFor(action) {
    const start = await api("step-up/options", {});
    const cred = await webauthn("step_up", "get", { publicKey: requestOptions(start.publicKey) }, action);
    await api("step-up/verify", { ceremonyId: start.ceremonyId, credential: credentialJSON(cred), rule: action });
  }
  function setupAccount() {
    const dialog = document.getElementById("confirm-dialog");
    const title = document.getElementById("confirm-title");
    const actionEl = document.getElementById("confirm-action");
    const detail = document.getElementById("confirm-detail");
    const confirmButton = document.getElementById("confirm-button");
    const cancel = document.getElementById("confirm-cancel");
    const where = { status: document.getElementById("confirm-status"), next: document.getElementById("confirm-next") };
    let pending = null; // { action, run, confirmed }

    // The prompt names the action ("Add a passkey" / "Confirm it's you to add a passkey").
    function ask(source, text, run) {
      const name = source.dataset.title;
      pending = { action: source.dataset.action, run, confirmed: false };
      title.textContent = name;
      actionEl.textContent = "Confirm it\u2019s you to " + name.charAt(0).toLowerCase() + name.slice(1);
      detail.textContent = text;
      confirmButton.textContent = "Confirm with your passkey";
      sayTo = where;
      say("");
      busy(confirmButton, false);
      dialog.showModal();
    }
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      sayTo = null;
      if (pending) say("Nothing was changed.", null);
      pending = null;
    });
    document.getElementById("confirm-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const p = pending;
      if (!p) return;
      busy(confirmButton, true);
      try {
        if (!p.confirmed) {
          say("Waiting for one of your passkeys\u2026");
          await stepUpFor(p.action);
          p.confirmed = true;
        }
        const stay = await p.run();
        pending = null;
        if (stay) dialog.close(); else location.reload();
      } catch (e) {
        if (e instanceof Problem && String(e.body.type || "").endsWith(":step-up-required")) p.confirmed = false;
        // Confirmed but the action itself failed: the step-up is still fresh, so retrying skips it.
        confirmButton.textContent = p.confirmed ? "Try again" : "Confirm with your passkey";
        const m = explain(e, "account");
        if (m) say(m[0], "error", m[1]); else say("");
        busy(confirmButton, false);
      }
    });

    const form = document.getElementById("register-form");
    const add = document.getElementById("passkey-button");
    if (!supported("registration")) { busy(add, true); return; }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      ask(form, "Use a passkey that is already on your account; then create the new one.", async () => {
        say("Now create the new passkey\u2026");
        await enroll();
        say("Your passkey is ready.", "ok");
      });
    });
    const codesButton = document.getElementById("codes-button");
    if (codesButton) codesButton.addEventListener("click", () => {
      ask(codesButton, "Your current recovery codes will stop working.", async () => {
        const r = await api("recovery/codes", {});
        sayTo = null;
        say("New recovery codes are ready.", "ok");
        showCodes(r.recoveryCodes, null);
        return true; // stay on the page: the codes are shown only now
      });
    });
    document.querySelectorAll("button[data-revoke]").forEach((b) => {
      b.addEventListener("click", () => {
        ask(b, "\u201c" + b.dataset.label + "\u201d will no longer sign you in.", async () => {
          say("Removing the passkey\u2026");
          await api("credentials/revoke", { credentialId: b.dataset.revoke });
          await signalAccepted();
        });
      });
    });
  }

  /** After a removal: the passkeys this account still has, so the provider can hide the removed one. */
  async function signalAccepted() {
    if (!window.PublicKeyCredential || typeof PublicKeyCredential.signalAllAcceptedCredentials !== "function") return;
    try {
      const list = await apiGet("credentials");
      signal("signalAllAcceptedCredentials", {
        rpId: page.dataset.rpId, userId: page.dataset.userId,
        allAcceptedCredentialIds: list.credentials.map((c) => c.id),
      });
    } catch (e) { /* the removal is done either way */ }
  }

  // ---- account: passkey names, and where the account is signed in ----
  function setupAccountDetails() {
    // The provider shows the account's current name next to its passkeys.
    if (page.dataset.rpId && page.dataset.userId)
      signal("signalCurrentUserDetails", {
        rpId: page.dataset.rpId, userId: page.dataset.userId,
        name: page.dataset.user || "", displayName: page.dataset.displayName || page.dataset.user || "",
      });
    document.querySelectorAll("button[data-rename]").forEach((b) => {
      b.addEventListener("click", () => rename(b));
    });
    document.querySelectorAll("button[data-end-session]").forEach((b) => {
      b.addEventListener("click", () => endSessions(b, { session: b.dataset.endSession }, "Signing that session out\u2026"));
    });
    const others = document.getElementById("end-others");
    if (others) others.addEventListener("click", () => endSessions(others, { others: true }, "Signing out everywhere else\u2026"));
  }
  /** Inline: the name becomes a field with Save and Cancel; Enter saves, Escape cancels. */
  function rename(button) {
    const id = button.dataset.rename;
    const shown = document.querySelector("span[data-label-of=\"" + CSS.escape(id) + "\"]");
    if (!shown || button.hidden) return;
    const field = document.createElement("input");
    field.maxLength = 64;
    field.value = button.dataset.label;
    field.setAttribute("aria-label", "New name for this passkey");
    const save = document.createElement("button");
    save.type = "button"; save.className = "link"; save.textContent = "Save";
    const cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "link"; cancel.textContent = "Cancel";
    const editor = document.createElement("span");
    editor.className = "rename";
    editor.append(field, " ", save, " ", cancel);
    shown.hidden = true;
    button.hidden = true;
    shown.after(editor);
    field.focus();
    field.select();
    function done() {
      editor.remove();
      shown.hidden = false;
      button.hidden = false;
      button.focus();
    }
    async function submit() {
      const label = field.value.trim();
      if (!label) { say("Give the passkey a name.", "error"); field.focus(); return; }
      busy(save, true);
      try {
        await api("credentials/rename", { credentialId: id, label });
        shown.textContent = label;
        button.dataset.label = label;
        document.querySelectorAll("button[data-revoke=\"" + CSS.escape(id) + "\"]").forEach((r) => { r.dataset.label = label; });
        say("Renamed.", "ok");
        done();
      } catch (e) {
        const m = explain(e, "account");
        if (m) say(m[0], "error", m[1]);
        busy(save, false);
        field.focus();
      }
    }
    save.addEventListener("click", submit);
    cancel.addEventListener("click", done);
    field.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); submit(); }
      else if (ev.key === "Escape") { ev.preventDefault(); done(); }
    });
  }
  async function endSessions(button, body, text) {
    busy(button, true);
    say(text);
    try {
      await api("sessions/end", body);
      location.reload();
    } catch (e) {
      const m = explain(e, "account");
      if (m) say(m[0], "error", m[1]);
      busy(button, false);
    }
  }

  if (kind === "login") setupLogin();
  else if (kind === "register") setupRegister();
  else if (kind === "recover") setupRecover();
  else if (kind === "step-up") setupStepUp();
  else if (kind === "account") { setupAccountDetails(); setupAccount(); }
})();
