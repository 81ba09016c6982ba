// Progressive enhancement: refresh the rows of the progress board (the page and filters
// shown) every 30 s while the page is visible. The server answers 304 with nothing when
// the rows are unchanged (ETag), so an idle tab costs one small request.
// Without JavaScript the page simply shows the state when it was loaded.
(function () {
  "use strict";
  var body = document.getElementById("progress");
  if (!body || !window.fetch) { return; }
  var url = body.getAttribute("data-refresh");
  var etag = body.getAttribute("data-etag");  // the rows as the page showed them
  function refresh() {
    if (document.hidden) { return; }
    var headers = { "Accept": "text/html" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (r) {
        if (r.status !== 200) { return null; }  // 304: nothing changed
        etag = r.headers.get("ETag");
        return r.text();
      })
      .then(function (html) { if (html !== null) { body.innerHTML = html; } })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  window.setInterval(refresh, 30000);
})();
