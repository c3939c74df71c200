// Browser passkey tests for stepgate: headless Chromium (the system's /usr/bin/chromium, driven by
// playwright-core) with a CDP virtual WebAuthn authenticator, against a running gateway in front of
// the bundled demo app (`stepgate demo`, policies/demo.yaml).
//
//   STEPGATE_URL=http://localhost:8080 node passkeys.spec.mjs
//
// Prints one line per case and a summary "N passed, N failed"; exits 0 only when all pass.
import { chromium } from "playwright-core";
import http from "node:http";
import { randomBytes } from "node:crypto";

const BASE = (process.env.STEPGATE_URL || "").replace(/\/+$/, "");
if (!BASE) {
  console.error("passkeys.spec: set STEPGATE_URL to the gateway's URL, e.g. http://localhost:8080");
  process.exit(2);
}
const ORIGIN = new URL(BASE).origin;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const STEP_TIMEOUT = 20_000;
// When set, the gateway's change-email rule has this max_age (seconds) instead of demo.yaml's 5m,
// and only the "after max_age" case runs (BrowserPasskeyIT starts such a gateway for it).
const EMAIL_MAX_AGE = process.env.STEPGATE_EMAIL_MAX_AGE ? Number(process.env.STEPGATE_EMAIL_MAX_AGE) : null;
// When set, the gateway's payouts rule also has min_credential_age: 24h, and only the recovery case
// runs (BrowserPasskeyIT starts such a gateway for it).
const RECOVERY = process.env.STEPGATE_RECOVERY === "1";
// When set, the gateway runs `demo --bolt-on` (the demo app keeps its own password login,
// policies/bolt-on/demo-bolt-on.yaml) and only the bolt-on case runs (BrowserPasskeyIT starts it).
const BOLT_ON = process.env.STEPGATE_BOLT_ON === "1";

const results = [];
let browser;

async function test(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   - ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: e });
    console.log(`FAIL - ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error("assertion failed: " + message);
}
function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function uniqueUser(prefix) {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/**
 * A fresh browser context with one page, a virtual platform authenticator and error collection.
 * Chromium's virtual authenticator answers a conditional-mediation (autofill) request at once, as
 * if the user had picked the passkey from the autofill list; so unless {@code conditional} is set,
 * the page is told conditional UI is unavailable and the sign-in button's ceremony is what runs.
 */
async function newBrowserPage({ conditional = false } = {}) {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT);
  if (!conditional) {
    await context.addInitScript(() => {
      if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
  }
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()} @ ${page.url()}`); });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message} @ ${page.url()}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return { context, page, cdp, authenticatorId, errors };
}

/** GET /.stepgate/api/session with the context's cookies (outside the page: no console noise). */
async function session(context) {
  const res = await context.request.get(BASE + "/.stepgate/api/session", { headers: { Accept: "application/json" } });
  return { status: res.status(), body: res.status() === 200 ? await res.json() : null };
}

async function statusText(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById("status");
    return s && s.classList.contains("error") && s.textContent.trim().length > 0;
  }, null, { timeout: STEP_TIMEOUT });
  return (await page.textContent("#status")).trim();
}

/** The error the account page's step-up prompt shows. */
async function promptStatusText(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById("confirm-status");
    return s && s.classList.contains("error") && s.textContent.trim().length > 0;
  }, null, { timeout: STEP_TIMEOUT });
  return (await page.textContent("#confirm-status")).trim();
}

/** The account page's step-up prompt is open and names the action ("Add a passkey", ...). */
async function assertPromptNames(page, heading, action) {
  await page.waitForSelector("#confirm-dialog[open]");
  assertEq((await page.textContent("#confirm-title")).trim(), heading, "#confirm-title");
  assertEq((await page.textContent("#confirm-action")).trim(), action, "#confirm-action");
}

/** Signs out with the sign-out page's POST button (a GET alone ends nothing). */
async function signOut(page) {
  await page.goto(BASE + "/.stepgate/logout");
  await page.click("#sign-out");
  await page.waitForURL((u) => u.pathname === "/.stepgate/login");
}

async function passkeyRows(page) {
  return page.evaluate(() => document.querySelectorAll("#passkeys tbody tr").length);
}

async function submitRegistration(page, username) {
  await page.goto(BASE + "/.stepgate/register");
  await page.fill("#username", username);
  await page.fill("#display-name", "E2E " + username);
  await page.fill("#label", "virtual authenticator");
  await page.click("#passkey-button");
}

/**
 * Creates an account; a new account is shown its recovery codes once, which this reads and
 * returns before following the page's "continue" link.
 */
async function register(page, username) {
  await submitRegistration(page, username);
  await page.waitForSelector("#codes-continue");
  const codes = await page.$$eval("#recovery-codes li", (items) => items.map((li) => li.textContent.trim()));
  assertEq(codes.length, 10, "recovery codes shown after creating the account");
  assert(await page.isVisible("#codes-download"), "the codes can be downloaded");
  await page.click("#codes-continue");
  await page.waitForURL((u) => !u.pathname.startsWith("/.stepgate/register"));
  return codes;
}

/** Usernameless sign-in from the login page; returns once the button's ceremony has run. */
async function clickSignIn(page, rd) {
  await page.goto(BASE + "/.stepgate/login" + (rd ? "?rd=" + encodeURIComponent(rd) : ""));
  await page.fill("#username", "");
  await page.click("#passkey-button");
}

async function demoAccount(page) {
  await page.goto(BASE + "/account");
  return {
    user: (await page.textContent("#user")).trim(),
    email: (await page.textContent("#email")).trim(),
    changes: Number((await page.textContent("#email-changes")).trim()),
  };
}

async function credentials(cdp, authenticatorId) {
  return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
}

async function postJson(path, body, origin = ORIGIN) {
  const res = await fetch(BASE + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", Origin: origin },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  let json = null;
  try { json = await res.json(); } catch { /* empty */ }
  return { status: res.status, json, setCookie: res.headers.get("set-cookie") };
}

// ------------------------------------------------------------------------------------------------

let capturedLoginVerify = null;

async function happyPath() {
  const { context, page, errors } = await newBrowserPage();
  try {
    const user = uniqueUser("alice");
    await register(page, user);
    let s = await session(context);
    assertEq(s.status, 200, "session after registration");
    assertEq(s.body.user, user, "session user after registration");

    // GET shows a sign-out button and ends nothing; the demo app's own "sign out" button POSTs.
    await page.goto(BASE + "/.stepgate/logout");
    assertEq((await page.textContent("#sign-out")).trim(), "Sign out", "sign-out page button");
    assertEq((await session(context)).status, 200, "session after GET /.stepgate/logout");
    await page.goto(BASE + "/account");
    await page.click("#sign-out");
    await page.waitForURL((u) => u.pathname === "/.stepgate/login");
    assertEq((await session(context)).status, 401, "session after signing out");

    // Usernameless (discoverable) sign-in; keep the verify request for the replay case.
    await page.route("**/.stepgate/api/login/verify", async (route) => {
      capturedLoginVerify = route.request().postData();
      await route.continue();
    });
    await clickSignIn(page, "/account");
    await page.waitForURL((u) => u.pathname === "/account");
    await page.unroute("**/.stepgate/api/login/verify");
    assertEq((await page.textContent("#user")).trim(), user, "#user on /account");
    assert(capturedLoginVerify, "the login/verify request was captured");

    // Step-up for a held form POST: prompt, confirm, the POST lands upstream exactly once.
    const email1 = `${user}.new@example.org`;
    await page.goto(BASE + "/account/email");
    await page.fill("#email", email1);
    await page.click("form[action='/account/email'] button[type=submit]");
    await page.waitForURL((u) => u.pathname === "/.stepgate/step-up");
    assertEq((await page.textContent("#action")).trim(), "Confirm: Change the email address on your account", "#action");
    let stepUpBody = null;
    await page.route("**/.stepgate/api/step-up/verify", async (route) => {
      stepUpBody = route.request().postData();
      await route.continue();
    });
    await page.click("#passkey-button");
    await page.waitForSelector("#result");
    await page.unroute("**/.stepgate/api/step-up/verify");
    assert((await page.textContent("#result")).includes(email1), "#result names the new email");
    let acct = await demoAccount(page);
    assertEq(acct.email, email1, "#email after step-up");
    assertEq(acct.changes, 1, "#email-changes after step-up (held POST landed exactly once)");

    // Within max_age (5m) a second change goes through without a prompt.
    const email2 = `${user}.second@example.org`;
    await page.goto(BASE + "/account/email");
    await page.fill("#email", email2);
    await page.click("form[action='/account/email'] button[type=submit]");
    await page.waitForSelector("#result");
    assertEq(new URL(page.url()).pathname, "/account/email", "no step-up prompt within max_age");
    acct = await demoAccount(page);
    assertEq(acct.email, email2, "#email after second change");
    assertEq(acct.changes, 2, "#email-changes after second change");

    s = await session(context);
    assert(s.body && s.body.stepUpTime, "session records the step-up time");

    // Replaying the step-up (same session) is refused and sends nothing upstream again.
    assert(stepUpBody, "the step-up/verify request was captured");
    const replay = await context.request.post(BASE + "/.stepgate/api/step-up/verify", {
      headers: { "Content-Type": "application/json", Accept: "application/json", Origin: ORIGIN }, data: stepUpBody,
    });
    assert(replay.status() === 400 || replay.status() === 401, "replayed step-up refused with 400/401, got " + replay.status());
    acct = await demoAccount(page);
    assertEq(acct.changes, 2, "#email-changes after a replayed step-up");
    assert(errors.length === 0, "no console errors or page errors on the happy path:\n  " + errors.join("\n  "));
  } finally {
    await context.close();
  }
}

async function cancelledPrompt() {
  const { context, page, cdp, authenticatorId } = await newBrowserPage();
  try {
    const user = uniqueUser("cancel");
    await register(page, user);
    await signOut(page);
    // The user dismisses the prompt: the authenticator never answers and the browser gives up.
    await cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled: false });
    await page.goto(BASE + "/.stepgate/login?rd=%2Faccount");
    await shortenGetTimeout(page);
    await page.click("#passkey-button");
    const text = await statusText(page);
    assert(/closed or timed out/.test(text), "#status explains the closed prompt, got: " + text);
    assertEq((await session(context)).status, 401, "session after a cancelled prompt");
    assertEq(new URL(page.url()).pathname, "/.stepgate/login", "still on the login page");
  } finally {
    await context.close();
  }
}

async function uvLessAssertion() {
  const { context, page, cdp, authenticatorId } = await newBrowserPage();
  try {
    const user = uniqueUser("nouv");
    await register(page, user);
    await signOut(page);
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBogusSignature: false, isBadUV: true, isBadUP: false });
    await clickSignIn(page, "/account");
    const text = await statusText(page);
    assert(/did not confirm it was you/.test(text), "#status explains missing user verification, got: " + text);
    assertEq((await session(context)).status, 401, "session after a UV-less assertion");
  } finally {
    await context.close();
  }
}

async function replayedAssertion() {
  assert(capturedLoginVerify, "needs the login/verify body captured by the happy path");
  const r = await postJson("/.stepgate/api/login/verify", capturedLoginVerify);
  assert(r.status === 400 || r.status === 401, `replayed assertion refused with 400/401, got ${r.status}`);
  assert(!r.setCookie || !/=[^;]+/.test(r.setCookie.split(";")[0]) || /Max-Age=0/i.test(r.setCookie),
    "no session cookie for a replayed assertion: " + r.setCookie);
  assert(r.json && /ceremony-invalid|challenge/.test(String(r.json.type)), "problem type names the spent ceremony: " + JSON.stringify(r.json));
}

async function otherOrigin() {
  // A page on another origin (another localhost port) that is allowed to use rpId "localhost"
  // signs the gateway's challenge; the assertion is then posted to the gateway from outside.
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>elsewhere</title><p>Not the gateway.</p>");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const other = `http://localhost:${server.address().port}`;
  const { context, page } = await newBrowserPage();
  try {
    const user = uniqueUser("origin");
    await register(page, user);
    await signOut(page);
    const start = await postJson("/.stepgate/api/login/options", {});
    assertEq(start.status, 200, "login/options");
    await page.goto(other + "/");
    const credential = await page.evaluate(async (publicKey) => {
      const cred = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(publicKey) });
      return cred.toJSON();
    }, start.json.publicKey);
    const clientData = JSON.parse(Buffer.from(credential.response.clientDataJSON, "base64url").toString());
    assertEq(clientData.origin, other, "the browser signed for the other origin");
    const r = await postJson("/.stepgate/api/login/verify", { ceremonyId: start.json.ceremonyId, credential });
    assertEq(r.status, 401, "assertion made on another origin");
    assert(String(r.json && r.json.type).endsWith("origin-mismatch"), "problem type origin-mismatch: " + JSON.stringify(r.json));
    assert(!r.setCookie || /Max-Age=0/i.test(r.setCookie), "no session cookie: " + r.setCookie);
    // And the API refuses the other origin outright when it calls from the browser.
    const cross = await postJson("/.stepgate/api/login/options", {}, other);
    assertEq(cross.status, 403, "API call with a foreign Origin");
  } finally {
    await context.close();
    server.close();
  }
}

async function clonedAuthenticator() {
  const original = await newBrowserPage();
  const clone = await newBrowserPage();
  try {
    const user = uniqueUser("clone");
    await register(original.page, user);
    await signOut(original.page);
    await clickSignIn(original.page, "/account");
    await original.page.waitForURL((u) => u.pathname === "/account");
    await clickSignIn(original.page, "/account"); // once more: the stored counter is now ≥ 2
    await original.page.waitForURL((u) => u.pathname === "/account");
    const [cred] = await credentials(original.cdp, original.authenticatorId);
    assert(cred && cred.signCount >= 2, "the original authenticator counts signatures: " + JSON.stringify(cred && cred.signCount));
    // A copy of the key on another authenticator, with its counter behind the original's.
    await clone.cdp.send("WebAuthn.addCredential", {
      authenticatorId: clone.authenticatorId,
      credential: { ...cred, signCount: 0 },
    });
    await clickSignIn(clone.page, "/account");
    const text = await statusText(clone.page);
    assert(/copy of another/.test(text), "#status explains the cloned passkey, got: " + text);
    assertEq((await session(clone.context)).status, 401, "session for the clone");
  } finally {
    await original.context.close();
    await clone.context.close();
  }
}

/** Makes the page's next navigator.credentials.get give up after a second (server timeout: minutes). */
async function shortenGetTimeout(page) {
  await page.evaluate(() => {
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (o) => {
      if (o && o.publicKey && !o.mediation) o.publicKey.timeout = 1000;
      return get(o);
    };
  });
}

async function stepUpRefusals() {
  const { context, page, cdp, authenticatorId } = await newBrowserPage();
  try {
    const user = uniqueUser("stepup");
    await register(page, user);
    const email = `${user}.held@example.org`;
    await page.goto(BASE + "/account/email");
    await page.fill("#email", email);
    await page.click("form[action='/account/email'] button[type=submit]");
    await page.waitForURL((u) => u.pathname === "/.stepgate/step-up");
    const stepUpUrl = page.url();

    // 1. The passkey answers without user verification: refused, the held POST stays held.
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBogusSignature: false, isBadUV: true, isBadUP: false });
    await page.click("#passkey-button");
    let text = await statusText(page);
    assert(/did not confirm it was you/.test(text), "#status explains missing user verification, got: " + text);
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBogusSignature: false, isBadUV: false, isBadUP: false });

    // 2. A bogus signature: refused.
    await page.goto(stepUpUrl);
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBogusSignature: true, isBadUV: false, isBadUP: false });
    await page.click("#passkey-button");
    text = await statusText(page);
    assert(text.length > 0 && !/Confirmed/.test(text), "#status shows the refusal, got: " + text);
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBogusSignature: false, isBadUV: false, isBadUP: false });

    // 3. The prompt is dismissed.
    await page.goto(stepUpUrl);
    await cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled: false });
    await shortenGetTimeout(page);
    await page.click("#passkey-button");
    text = await statusText(page);
    assert(/closed or timed out/.test(text), "#status explains the closed prompt, got: " + text);
    await cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled: true });

    let s = await session(context);
    assertEq(s.status, 200, "still signed in after refused step-ups");
    assert(!s.body.stepUpTime, "no step-up recorded after refusals");
    let acct = await demoAccount(page);
    assertEq(acct.changes, 0, "#email-changes after refused step-ups (nothing landed)");

    // 4. The held POST is still there: a good step-up sends it upstream once.
    await page.goto(stepUpUrl);
    await page.click("#passkey-button");
    await page.waitForSelector("#result");
    acct = await demoAccount(page);
    assertEq(acct.email, email, "#email after the step-up");
    assertEq(acct.changes, 1, "#email-changes after the step-up");

    // 5. Going back to the step-up page for the spent held request does not send it again.
    await page.goto(stepUpUrl);
    await page.waitForLoadState("load");
    acct = await demoAccount(page);
    assertEq(acct.changes, 1, "#email-changes after revisiting the step-up URL");
  } finally {
    await context.close();
  }
}

async function payouts() {
  const { context, page, errors } = await newBrowserPage();
  const balance = async () => (await context.request.get(BASE + "/api/balance", { headers: { Accept: "application/json" } })).json();
  try {
    const user = uniqueUser("payout");
    await register(page, user);
    // max_age 0s: every change needs its own step-up, and one step-up sends exactly one POST.
    // The form is posted from /account (GET /payouts itself needs a step-up: tested below).
    for (const [i, iban] of ["GB33 BUKB 2020 1555 5555 55", "FR14 2004 1010 0505 0001 3M02 606"].entries()) {
      await page.goto(BASE + "/account");
      await page.evaluate((value) => {
        const f = document.createElement("form");
        f.method = "post";
        f.action = "/payouts/destination";
        const input = document.createElement("input");
        input.name = "iban";
        input.value = value;
        f.appendChild(input);
        document.body.appendChild(f);
        f.submit();
      }, iban);
      await page.waitForURL((u) => u.pathname === "/.stepgate/step-up");
      assertEq((await page.textContent("#action")).trim(), "Confirm: Change where payouts are sent", `#action for payout change ${i + 1}`);
      assertEq((await balance()).payoutChanges, i, "payout changes before the step-up");
      await page.click("#passkey-button");
      await page.waitForSelector("#result");
      assert((await page.textContent("#result")).includes(iban), "#result names the new destination");
      assertEq((await balance()).payoutChanges, i + 1, "payout changes after the step-up");
    }
    // GET /payouts (step_up, max_age 2m): a step-up confirmed for the one-time payout change
    // authorized that change only, so this asks again (it names its own rule) ...
    await page.goto(BASE + "/payouts");
    await page.waitForURL((u) => u.pathname === "/.stepgate/step-up");
    assertEq((await page.textContent("#action")).trim(), "Confirm: View and manage payouts", "#action for GET /payouts");
    await page.click("#passkey-button");
    await page.waitForURL((u) => u.pathname === "/payouts");
    assert((await page.textContent("#destination")).includes("FR14"), "#destination shows the last change");
    // ... and within its max_age the page opens again without a prompt.
    await page.goto(BASE + "/payouts");
    assertEq(new URL(page.url()).pathname, "/payouts", "GET /payouts again within max_age 2m");
    assertEq((await balance()).payoutChanges, 2, "no payout change sent again");
    assert(errors.length === 0, "no console errors or page errors:\n  " + errors.join("\n  "));
  } finally {
    await context.close();
  }
}

/**
 * Adds a passkey on a new virtual security key from the account page, through its step-up (the
 * first passkey confirms); returns the key's authenticator id.
 */
async function addSecurityKey(b) {
  const key = (await b.cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "usb", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  })).authenticatorId;
  await b.page.goto(BASE + "/.stepgate/account");
  await b.page.fill("#label", "security key");
  await b.page.click("#passkey-button");
  await assertPromptNames(b.page, "Add a passkey", "Confirm it\u2019s you to add a passkey");
  await b.page.click("#confirm-button");
  await b.page.waitForFunction(() => document.querySelectorAll("button[data-revoke]").length === 2);
  return key;
}

/**
 * The first passkey's authenticator is gone (the laptop is retired): signs in with the security
 * key alone and removes the first passkey through its step-up; returns the removed credential.
 */
async function retireFirstPasskey(b) {
  const [firstCred] = await credentials(b.cdp, b.authenticatorId);
  const firstId = Buffer.from(firstCred.credentialId, "base64").toString("base64url");
  await b.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: b.authenticatorId });
  await signOut(b.page);
  await clickSignIn(b.page, "/.stepgate/account");
  await b.page.waitForURL((u) => u.pathname === "/.stepgate/account");
  await b.page.waitForFunction(() => document.querySelectorAll("button[data-revoke]").length === 2);
  await b.page.click(`button[data-revoke='${firstId}']`);
  await assertPromptNames(b.page, "Remove a passkey", "Confirm it\u2019s you to remove a passkey");
  await b.page.click("#confirm-button");
  return firstCred;
}

async function accountPasskeys() {
  const first = await newBrowserPage();
  const second = await newBrowserPage();
  try {
    const user = uniqueUser("acct");
    await register(first.page, user);
    // Someone else cannot enroll under a taken username.
    await submitRegistration(second.page, user);
    let text = await statusText(second.page);
    assert(/Sign in as this user/.test(text), "#status explains the taken username, got: " + text);
    assertEq(new URL(second.page.url()).pathname, "/.stepgate/register", "still on the register page");
    assertEq((await session(second.context)).status, 401, "no session for the taken username");

    // A copied session cookie on another device adds nothing: the prompt wants one of the
    // account's own passkeys, which that device does not hold.
    await second.context.addCookies(await first.context.cookies());
    await second.page.goto(BASE + "/.stepgate/account");
    assertEq((await second.page.textContent("#account-user")).trim(), user, "account page user");
    await second.page.fill("#label", "not mine");
    await second.page.click("#passkey-button");
    await assertPromptNames(second.page, "Add a passkey", "Confirm it\u2019s you to add a passkey");
    await shortenGetTimeout(second.page);
    await second.page.click("#confirm-button");
    text = await promptStatusText(second.page);
    assert(/closed or timed out/.test(text), "the prompt explains the failed check, got: " + text);
    assertEq((await credentials(second.cdp, second.authenticatorId)).length, 0, "the other device holds no passkey");
    const direct = await second.context.request.post(BASE + "/.stepgate/api/registration/options", {
      headers: { "Content-Type": "application/json", Accept: "application/json", Origin: ORIGIN }, data: { username: user },
    });
    assertEq(direct.status(), 401, "registration/options with only the session cookie");
    assertEq((await direct.json()).rule, "stepgate:add-passkey", "the challenge names the action");
    await second.page.goto(BASE + "/.stepgate/account");
    assertEq(await passkeyRows(second.page), 1, "passkeys after the copied cookie tried");

    // The owner adds a security key: confirms with the first passkey, then creates one on the key.
    const key = await addSecurityKey(first);
    assertEq((await credentials(first.cdp, key)).length, 1, "the security key holds the new passkey");
    assertEq((await credentials(first.cdp, first.authenticatorId)).length, 1, "the platform authenticator still holds one");

    // The laptop's passkey is retired: sign in with the key alone, then remove the first passkey.
    const firstCred = await retireFirstPasskey(first);
    await first.page.waitForFunction(() => document.querySelectorAll("#passkeys tbody tr").length === 1
      && document.querySelectorAll("button[data-revoke]").length === 0);
    assertEq(new URL(first.page.url()).pathname, "/.stepgate/account", "still on the account page");

    // The removed passkey cannot sign in any more (its key, put on the other device).
    await second.context.clearCookies();
    await second.cdp.send("WebAuthn.addCredential", { authenticatorId: second.authenticatorId, credential: firstCred });
    await clickSignIn(second.page, "/account");
    text = await statusText(second.page);
    assert(/not registered/.test(text), "#status explains the removed passkey, got: " + text);
    assertEq((await session(second.context)).status, 401, "no session with a removed passkey");
    assert(first.errors.length === 0, "no console errors or page errors:\n  " + first.errors.join("\n  "));
  } finally {
    await first.context.close();
    await second.context.close();
  }
}

async function accountStepUpCancelled() {
  const { context, page, cdp, authenticatorId } = await newBrowserPage();
  const calls = [];
  page.on("request", (r) => { if (r.url().includes("/.stepgate/api/")) calls.push(new URL(r.url()).pathname); });
  try {
    const user = uniqueUser("nope");
    await register(page, user);
    await page.goto(BASE + "/.stepgate/account");
    calls.length = 0;
    // 1. The prompt's Cancel: nothing is asked of the passkey, nothing changes.
    await page.click("#passkey-button");
    await assertPromptNames(page, "Add a passkey", "Confirm it\u2019s you to add a passkey");
    await page.click("#confirm-cancel");
    // (the dialog's close event, which says so, comes a task after it closes)
    await page.waitForFunction(() => !document.getElementById("confirm-dialog").open
      && document.getElementById("status").textContent.trim().length > 0);
    assertEq((await page.textContent("#status")).trim(), "Nothing was changed.", "#status after Cancel");
    assertEq(calls.length, 0, "no API call after Cancel: " + calls.join(", "));
    // 2. The passkey prompt of the step-up is dismissed: no registration is even started.
    await cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled: false });
    await shortenGetTimeout(page);
    await page.click("#passkey-button");
    await assertPromptNames(page, "Add a passkey", "Confirm it\u2019s you to add a passkey");
    await page.click("#confirm-button");
    const text = await promptStatusText(page);
    assert(/closed or timed out/.test(text), "the prompt explains the dismissed check, got: " + text);
    assert(!calls.some((c) => c.includes("registration/")), "no registration after a dismissed step-up: " + calls.join(", "));
    await cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled: true });
    await page.goto(BASE + "/.stepgate/account");
    assertEq(await passkeyRows(page), 1, "passkeys after the cancelled step-ups");
    assertEq((await credentials(cdp, authenticatorId)).length, 1, "the authenticator holds only the first passkey");
    assertEq((await session(context)).status, 200, "still signed in");
  } finally {
    await context.close();
  }
}

async function usernameSignIn() {
  const { context, page, errors } = await newBrowserPage();
  try {
    const user = uniqueUser("named");
    await register(page, user);
    await signOut(page);
    // A username that does not exist: decoy credentials, the authenticator has none of them.
    await page.goto(BASE + "/.stepgate/login?rd=%2Faccount");
    await shortenGetTimeout(page);
    await page.fill("#username", uniqueUser("nobody"));
    await page.click("#passkey-button");
    const text = await statusText(page);
    assert(/closed or timed out/.test(text), "#status for an unknown username, got: " + text);
    assertEq((await session(context)).status, 401, "no session for an unknown username");
    // The user's own name (typed in capitals: usernames are case-insensitive).
    await page.goto(BASE + "/.stepgate/login?rd=%2Faccount");
    await page.fill("#username", user.toUpperCase());
    await page.click("#passkey-button");
    await page.waitForURL((u) => u.pathname === "/account");
    assertEq((await page.textContent("#user")).trim(), user, "#user after signing in with a username");
    assert(errors.length === 0, "no console errors or page errors:\n  " + errors.join("\n  "));
  } finally {
    await context.close();
  }
}

/** Submits the demo's change-email form; resolves on the step-up page or the result page. */
async function changeEmail(page, email) {
  await page.goto(BASE + "/account/email");
  await page.fill("#email", email);
  await page.click("form[action='/account/email'] button[type=submit]");
  await page.waitForURL((u) => u.pathname === "/.stepgate/step-up" || u.pathname === "/account/email");
  return new URL(page.url()).pathname === "/.stepgate/step-up";
}

async function afterMaxAge() {
  const { context, page, errors } = await newBrowserPage();
  try {
    const user = uniqueUser("expiry");
    await register(page, user);
    assert(await changeEmail(page, `${user}.1@example.org`), "first change prompts");
    await page.click("#passkey-button");
    await page.waitForSelector("#result");
    const steppedUp = Date.now();
    // Within max_age: no prompt.
    assert(!(await changeEmail(page, `${user}.2@example.org`)), "second change within max_age does not prompt");
    await page.waitForSelector("#result");
    // After max_age: prompted again, and nothing lands until confirmed.
    await page.waitForTimeout(Math.max(0, steppedUp + (EMAIL_MAX_AGE + 1.5) * 1000 - Date.now()));
    assert(await changeEmail(page, `${user}.3@example.org`), "third change after max_age prompts again");
    assertEq((await page.textContent("#action")).trim(), "Confirm: Change the email address on your account", "#action");
    const balance = await (await context.request.get(BASE + "/api/balance", { headers: { Accept: "application/json" } })).json();
    assertEq(balance.emailChanges, 2, "email changes before the new step-up (the third is held)");
    await page.click("#passkey-button");
    await page.waitForSelector("#result");
    const acct = await demoAccount(page);
    assertEq(acct.email, `${user}.3@example.org`, "#email after the new step-up");
    assertEq(acct.changes, 3, "#email-changes after the new step-up");
    assert(errors.length === 0, "no console errors or page errors:\n  " + errors.join("\n  "));
  } finally {
    await context.close();
  }
}

async function conditionalSignIn() {
  const { context, page, errors } = await newBrowserPage({ conditional: true });
  try {
    const user = uniqueUser("autofill");
    await register(page, user);
    await signOut(page);
    // The page starts a conditional request on load; the virtual authenticator answers it.
    await page.goto(BASE + "/.stepgate/login?rd=%2Faccount");
    await page.waitForURL((u) => u.pathname === "/account");
    assertEq((await page.textContent("#user")).trim(), user, "#user after autofill sign-in");
    assert(errors.length === 0, "no console errors or page errors:\n  " + errors.join("\n  "));
  } finally {
    await context.close();
  }
}

async function deniedAndAnonymous() {
  const { context, page } = await newBrowserPage();
  try {
    // Not signed in: the POST does not land; the browser is sent to sign in.
    const res = await context.request.post(BASE + "/account/email", {
      form: { email: "mallory@example.org" }, maxRedirects: 0, headers: { Accept: "text/html" },
    });
    assertEq(res.status(), 303, "anonymous POST /account/email");
    assert((res.headers()["location"] || "").startsWith("/.stepgate/login"), "redirect to the login page");
    const admin = await context.request.get(BASE + "/admin", { maxRedirects: 0 });
    assert(admin.status() === 303 || admin.status() === 403, "/admin not served anonymously: " + admin.status());
  } finally {
    await context.close();
  }
}

// ------------------------------------------------------------------------------------------------

/**
 * The lifecycle end to end: enroll (codes shown) → add a second passkey (step-up) → revoke the
 * first → on a fresh browser profile, recover with a code → enroll → the payouts step-up refuses
 * the new passkey with the cooling-off message → the used code no longer works.
 */
async function recovery() {
  const first = await newBrowserPage();
  const fresh = await newBrowserPage();
  try {
    const user = uniqueUser("lost");
    const codes = await register(first.page, user);
    assert(codes.every((c) => /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/.test(c)), "codes look like XXXX-XXXX-XXXX-XXXX: " + codes[0]);

    // A second passkey on a security key, through the account page's step-up.
    await first.page.goto(BASE + "/.stepgate/account");
    assert((await first.page.textContent("#passkey-button")).includes("backup"), "one passkey: the page asks for a backup");
    const key = await addSecurityKey(first);

    // Retire the first passkey: sign in with the key alone, then remove the first.
    await retireFirstPasskey(first);
    await first.page.waitForFunction(() => document.querySelectorAll("button[data-revoke]").length === 0
      && document.querySelectorAll("tbody tr").length >= 1);
    await first.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: key });

    // A fresh profile (the laptop is lost, the key too): recover with a code, enroll a new passkey.
    await fresh.page.goto(BASE + "/.stepgate/recover");
    await fresh.page.fill("#recover-username", user);
    await fresh.page.fill("#code", codes[0].toLowerCase());
    await fresh.page.click("#recover-button");
    await fresh.page.waitForSelector("#register-form:not([hidden])");
    assertEq(await fresh.page.inputValue("#username"), user, "the recovery session's username");
    // The recovery session reaches no app route and no other API.
    const during = await fresh.context.request.get(BASE + "/account", { headers: { Accept: "application/json" }, maxRedirects: 0 });
    assertEq(during.status(), 401, "an app route with only a recovery session");
    assertEq((await session(fresh.context)).status, 401, "GET /.stepgate/api/session with only a recovery session");
    await fresh.page.fill("#label", "new phone");
    await fresh.page.click("#passkey-button");
    await fresh.page.waitForURL((u) => u.pathname === "/.stepgate/account");
    assertEq((await session(fresh.context)).body.user, user, "signed in with the recovered passkey");
    assert((await fresh.page.textContent("tbody")).includes("added by recovery"), "the account page marks the new passkey");

    // Cooling-off: payouts (min_credential_age: 24h) refuse the new passkey, and say from when.
    await fresh.page.goto(BASE + "/payouts");
    await fresh.page.waitForURL((u) => u.pathname === "/.stepgate/step-up");
    await fresh.page.click("#passkey-button");
    const text = await statusText(fresh.page);
    assert(/can be used for this from \d{1,2} \w{3}, \d\d:\d\d/.test(text), "the step-up page says when, got: " + text);
    const payouts = await fresh.context.request.get(BASE + "/payouts", { headers: { Accept: "application/json" }, maxRedirects: 0 });
    assertEq(payouts.status(), 401, "GET /payouts after the refused step-up");

    // The code is spent: it opens nothing again.
    const again = await postJson("/.stepgate/api/recovery/verify", { username: user, code: codes[0] });
    assertEq(again.status, 401, "a used recovery code");
    assertEq(again.json && again.json.type && again.json.type.endsWith("recovery-failed"), true, "problem type of a used code");
    assert(first.errors.length === 0 && fresh.errors.filter((e) => !/401|403/.test(e)).length === 0,
      "no console errors or page errors:\n  " + first.errors.concat(fresh.errors).join("\n  "));
  } finally {
    await first.context.close();
    await fresh.context.close();
  }
}

/**
 * Bolt-on mode (SPEC section 8), as a newcomer meets it in `demo --bolt-on`: sign in with the
 * app's own password, open payouts, create a first passkey where the step-up asks, confirm with
 * it, and the payout form (held across its own one-time step-up) reaches the app exactly once.
 */
async function boltOn() {
  const { context, page, errors } = await newBrowserPage();
  try {
    // Anonymous: a sensitive route sends the browser to "sign in to the app first", not to a passkey sign-in.
    await page.goto(BASE + "/payouts");
    await page.waitForSelector("#app-login-first");

    // The app's own login, through the gateway.
    await page.goto(BASE + "/login");
    await page.fill("#email", "alice@example.com");
    await page.fill("#password", "alice-demo-password");
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.click("form[action='/login'] button[type=submit]")]);
    assertEq((await page.textContent("#signed-in-as")).trim(), "alice@example.com", "the app's own session");

    // Payouts need a step-up; alice has no passkey yet, so the prompt offers to create one.
    await page.goto(BASE + "/payouts");
    await page.waitForURL((u) => u.pathname === "/.stepgate/step-up");
    await page.waitForSelector("#first-passkey");
    await page.click("#passkey-button");
    // Created: back to the prompt, which now asks to confirm with it.
    await page.waitForSelector("#step-up-form");
    await page.click("#passkey-button");
    await page.waitForURL((u) => u.pathname === "/payouts");
    assert((await page.textContent("#destination")).trim().length > 0, "the payouts page after the step-up");

    // The payout change is a one-time step-up: the form is held, confirmed, then sent once.
    await page.fill("#iban", "DE02 1203 0000 0000 2020 51");
    await Promise.all([page.waitForURL((u) => u.pathname === "/.stepgate/step-up"), page.click("form[action='/payouts/destination'] button")]);
    await page.click("#passkey-button");
    await page.waitForSelector("#result");
    assert((await page.textContent("#result")).includes("DE02 1203 0000 0000 2020 51"), "the payout reached the app");
    const balance = await context.request.get(BASE + "/api/balance", { headers: { Accept: "application/json" } });
    assertEq(balance.status(), 200, "GET /api/balance");
    assertEq((await balance.json()).payoutChanges, 1, "the held payout landed exactly once");

    // Signing out of the app ends the step-up: payouts ask again (and, anonymous, for the app's login first).
    await page.goto(BASE + "/");
    await Promise.all([page.waitForURL((u) => u.pathname === "/" || u.pathname === "/login"), page.click("#sign-out")]);
    const after = await context.request.get(BASE + "/payouts", { headers: { Accept: "application/json" }, maxRedirects: 0 });
    assertEq(after.status(), 401, "GET /payouts after signing out of the app");
    assert(errors.length === 0, "no console errors or page errors:\n  " + errors.join("\n  "));
  } finally {
    await context.close();
  }
}

async function main() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const health = await fetch(BASE + "/.stepgate/healthz");
    if (health.status !== 200) throw new Error(`gateway at ${BASE} is not healthy: ${health.status}`);
    if (BOLT_ON) {
      await test("bolt-on: app password sign-in, payouts, first passkey at the prompt, step-up, the held payout lands once; signing out of the app voids it", boltOn);
      return;
    }
    if (RECOVERY) {
      await test("recovery: enroll (codes shown), add a second passkey, revoke the first, recover on a fresh profile with a code, enroll; payouts refuse the young passkey and say when; the code is spent", recovery);
      return;
    }
    if (EMAIL_MAX_AGE !== null) {
      await test(`after max_age (${EMAIL_MAX_AGE}s) a change prompts again; within it, it does not`, afterMaxAge);
      return;
    }
    await test("happy path: register, sign out, usernameless sign-in, step-up for a held POST, no re-prompt within max_age", happyPath);
    await test("max_age 0s POST prompts for every change and lands once per step-up; that step-up authorizes no other rule; GET within max_age 2m does not prompt again", payouts);
    await test("account page: taken username refused; a copied session cookie adds no passkey; add a security key and remove the first passkey, each through its own step-up", accountPasskeys);
    await test("account page: cancelling the step-up for \u201cAdd a passkey\u201d (Cancel, or a dismissed passkey prompt) adds nothing", accountStepUpCancelled);
    await test("sign-in with a typed username; an unknown username signs nobody in", usernameSignIn);
    await test("conditional UI (autofill) sign-in", conditionalSignIn);
    await test("negative: cancelled passkey prompt (NotAllowedError) signs nobody in", cancelledPrompt);
    await test("negative: assertion without user verification is refused", uvLessAssertion);
    await test("negative: refused step-ups (no UV, bad signature, dismissed prompt) land nothing; the held POST survives", stepUpRefusals);
    await test("negative: replayed login/verify body is refused", replayedAssertion);
    await test("negative: assertion made on another origin is refused (origin-mismatch)", otherOrigin);
    await test("negative: cloned authenticator with a lower signature counter is refused", clonedAuthenticator);
    await test("negative: anonymous POST to a step-up route does not land", deniedAndAnonymous);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  results.push({ name: "setup", ok: false, error: e });
  console.log(`FAIL - setup: ${e && e.stack ? e.stack : e}`);
}).finally(() => {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
});
