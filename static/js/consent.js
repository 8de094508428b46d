/*
 * Cookie consent, progressively enhanced. Without this script every form still posts and
 * the server answers with a redirect; with it:
 *  - scripts written as <script type="text/plain" data-cookie-group="G" data-src="...">
 *    start once group G is allowed (from the state the server put in the page);
 *  - the banner's buttons save the choice in the background and close the banner without
 *    reloading, send the Consent Mode update, then announce the result to screen readers.
 * No third-party code, no inline script: it works under a strict Content-Security-Policy.
 */
(function () {
  "use strict";

  function readState() {
    var node = document.getElementById("cookie-consent-state");
    if (!node) return { accepted: [] };
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return { accepted: [] };
    }
  }

  function activate(accepted) {
    var gated = document.querySelectorAll('script[type="text/plain"][data-cookie-group]');
    Array.prototype.forEach.call(gated, function (inert) {
      if (accepted.indexOf(inert.getAttribute("data-cookie-group")) === -1) return;
      if (inert.hasAttribute("data-activated")) return;
      inert.setAttribute("data-activated", "");
      var live = document.createElement("script");
      if (inert.hasAttribute("data-src")) live.src = inert.getAttribute("data-src");
      live.setAttribute("data-cookie-group", inert.getAttribute("data-cookie-group"));
      inert.parentNode.insertBefore(live, inert.nextSibling);
    });
  }

  function announce(message) {
    var status = document.getElementById("cookie-consent-status");
    if (status && message) status.textContent = message;
  }

  function closeBanner(banner) {
    banner.parentNode.removeChild(banner);
    // Keyboard users were on a button that no longer exists: continue at the content.
    var main = document.getElementById("main");
    if (main) main.focus();
  }

  function enhance(banner) {
    var forms = banner.querySelectorAll("form[data-consent-form]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var buttons = banner.querySelectorAll("button");
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
        window.fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { "Accept": "application/json", "X-Cookie-Consent-Fetch": "1" }
        }).then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        }).then(function (result) {
          // Consent Mode: tell any Google tag what was chosen (defaults: consent-mode.js).
          if (result.consent_mode && typeof window.gtag === "function") {
            window.gtag("consent", "update", result.consent_mode);
          }
          activate(result.accepted || []);
          closeBanner(banner);
          announce(result.message);
        }).catch(function () {
          // Fall back to the plain form post: the server explains what went wrong.
          HTMLFormElement.prototype.submit.call(form);
        });
      });
    });
  }

  function start() {
    activate(readState().accepted || []);
    var banner = document.querySelector("[data-cookie-banner]");
    if (banner && window.fetch && window.FormData) enhance(banner);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
