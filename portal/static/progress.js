// Progressive enhancement: refresh the progress board every 30 s while the page is
// visible. Without JavaScript the page simply shows the state when it was loaded.
(function () {
  "use strict";
  var body = document.getElementById("progress");
  if (!body || !window.fetch) { return; }
  var url = body.getAttribute("data-refresh");
  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { body.innerHTML = html; } })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  window.setInterval(refresh, 30000);
})();
