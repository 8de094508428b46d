/*
 * Google Consent Mode v2 defaults, set before any tag can run.
 *
 * Loaded synchronously right after the consent state the server put in the page
 * (#cookie-consent-state); pushes gtag('consent', 'default', {...}) to window.dataLayer with
 * the seven consent types as the visitor's region and stored choice allow them. Nothing is
 * loaded from Google: a tag an editor adds (gated by its cookie group) reads these values.
 * static/js/consent.js sends gtag('consent', 'update', {...}) when the visitor chooses.
 * First-party, no inline script: it works under a strict Content-Security-Policy.
 */
(function () {
  "use strict";
  var TYPES = [
    "ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
    "functionality_storage", "personalization_storage", "security_storage"
  ];

  window.dataLayer = window.dataLayer || [];
  // gtag.js reads Arguments objects from dataLayer, not arrays: the documented snippet.
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };

  var values = {};
  try {
    var node = document.getElementById("cookie-consent-state");
    values = JSON.parse(node.textContent).consentMode || {};
  } catch (e) {
    values = {};
  }
  var defaults = {};
  TYPES.forEach(function (type) {
    // Anything missing or unreadable is denied: the strictest reading.
    defaults[type] = values[type] === "granted" ? "granted" : "denied";
  });
  window.gtag("consent", "default", defaults);
})();
