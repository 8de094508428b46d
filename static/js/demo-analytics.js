/*
 * Demonstration analytics: the stand-in for any non-essential script. It runs only when
 * static/js/consent.js starts it (the visitor allowed "analytics"), and then sets a
 * first-party cookie with a random visit counter id. Nothing is sent anywhere.
 */
(function () {
  "use strict";
  var name = "demo_analytics";
  if (document.cookie.split("; ").some(function (c) { return c.indexOf(name + "=") === 0; })) {
    document.documentElement.setAttribute("data-demo-analytics", "ran");
    return;
  }
  var bytes = new Uint8Array(8);
  window.crypto.getRandomValues(bytes);
  var id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = name + "=" + id + "; path=/; max-age=" + 30 * 24 * 60 * 60 + "; SameSite=Lax" + secure;
  document.documentElement.setAttribute("data-demo-analytics", "ran");
})();
