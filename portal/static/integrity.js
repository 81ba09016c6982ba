// Progressive enhancement: tells the server, as information for the consultant, when the
// test page is left (hidden, or the window loses focus) and for how long. Only these
// events and durations are sent; nothing about other pages, windows or the device. The
// test works the same without this script (technical manual, section 16).
//
// Beacons are form posts (sendBeacon cannot set headers): the page's own CSRF token goes
// in the body, and the attempt id, which the server checks against the candidate's session.
(function () {
  "use strict";
  var script = document.querySelector("script[data-signal-url]");
  var token = document.querySelector("input[name=csrf_token]");
  if (!script || !token || typeof URLSearchParams === "undefined") { return; }
  var url = script.getAttribute("data-signal-url");
  var attempt = script.getAttribute("data-attempt");

  function send(event, ms) {
    var body = new URLSearchParams();
    body.set("csrf_token", token.value);
    body.set("attempt", attempt);
    body.set("event", event);
    if (ms !== undefined) { body.set("ms", String(Math.max(0, Math.round(ms)))); }
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url, body)) { return; }
    } catch (e) { /* fall through to fetch */ }
    if (window.fetch) {
      window.fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin" })
        .catch(function () { /* information only: a lost beacon is lost */ });
    }
  }

  // Once per attempt and tab: the script runs (so "never left" and "no script" differ).
  try {
    var key = "so-signal-ready-" + attempt;
    if (!window.sessionStorage.getItem(key)) {
      window.sessionStorage.setItem(key, "1");
      send("ready");
    }
  } catch (e) { send("ready"); }

  var awaySince = null;   // when the page was left, while away
  var hiddenSent = false; // "hidden" sent for this time away
  var leaving = false;    // the page itself is going (an answer sent, a reload)

  function present() {
    return document.visibilityState === "visible" &&
      (typeof document.hasFocus !== "function" || document.hasFocus());
  }
  function leave() {
    if (leaving) { return; }
    if (awaySince === null) {
      awaySince = Date.now();
      hiddenSent = false;
      send("away");
    }
    if (document.visibilityState === "hidden" && !hiddenSent) {
      hiddenSent = true;
      send("hidden");
    }
  }
  function back() {
    if (awaySince !== null && present()) {
      send("back", Date.now() - awaySince);
      awaySince = null;
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { leave(); } else { back(); }
  });
  window.addEventListener("blur", leave);
  window.addEventListener("focus", back);
  // Sending an answer or following a link hides the page too: that is not leaving the test.
  document.addEventListener("submit", function () { leaving = true; }, true);
  window.addEventListener("pagehide", function () {
    // Closed (or navigated away) while away: the time away so far.
    if (awaySince !== null) { send("back", Date.now() - awaySince); awaySince = null; }
    leaving = true;
  });
  window.addEventListener("pageshow", function (e) { if (e.persisted) { leaving = false; } });
})();
