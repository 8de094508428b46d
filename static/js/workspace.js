// The editors' workspace: refresh the rendered preview while typing, and warn before
// leaving with unsaved changes. The page works without this script (Preview posts the text).
(function () {
  "use strict";
  // The workspace's form, or the draft's full change form in the admin.
  var form = document.getElementById("workspace-form") || document.getElementById("policyversion_form");
  if (!form) { return; }
  var messages = document.getElementById("unsaved-changes");
  var unsaved = form.dataset.unsaved || (messages && messages.dataset.unsaved) || "";
  var body = document.getElementById("id_body");
  var target = document.getElementById("workspace-rendered");
  var dirty = false;
  var submitting = false;
  var timer = null;
  var pending = null;

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = unsaved;
      return unsaved;
    }
    return undefined;
  });

  if (!body || !target || !window.fetch || !form.dataset.previewUrl) { return; }

  function refresh() {
    var data = new FormData();
    data.append("body", body.value);
    data.append("language", form.elements.language.value);
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.previewUrl, {
      method: "POST", body: data, credentials: "same-origin", signal: pending.signal,
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      // Sanitised on the server (the same renderer as the public page).
      target.innerHTML = html;
      target.removeAttribute("data-stale");
    }).catch(function (error) {
      if (error.name !== "AbortError") { target.setAttribute("data-stale", form.dataset.previewFailed); }
    });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  });
})();
