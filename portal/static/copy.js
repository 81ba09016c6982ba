// Progressive enhancement: a "copy" button for a read-only field (the candidate's
// link on the consultant's page). Without JavaScript the button stays hidden and
// the field's text can be selected and copied by hand.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var status = button.parentNode.querySelector("[data-copy-status]");
    function done() {
      if (status) { status.textContent = button.getAttribute("data-done"); }
    }
    function fallback() {
      field.focus();
      field.select();
      try {
        if (document.execCommand("copy")) { done(); }
      } catch (e) { /* the text stays selected for Ctrl+C */ }
    }
    field.addEventListener("focus", function () { field.select(); });
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
}());
