// Progressive enhancement: shows the remaining time of the timed test. The
// server holds the deadline; when this clock reaches zero the page reloads and
// the server decides what happens next.
(function () {
  "use strict";
  var el = document.getElementById("timer");
  if (!el) { return; }
  var clock = el.querySelector(".clock");
  var announce = document.getElementById("timer-announce");
  var end = Date.now() + parseInt(el.getAttribute("data-remaining"), 10) * 1000;
  var announced = {};
  function fmt(s) { var m = Math.floor(s / 60), r = s % 60; return m + ":" + (r < 10 ? "0" : "") + r; }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    clock.textContent = fmt(left);
    if (left <= 60) { el.classList.add("low"); }
    [300, 60].forEach(function (mark) {
      if (left <= mark && left > mark - 5 && !announced[mark] && announce) {
        announced[mark] = true;
        announce.textContent = el.getAttribute("data-label") + ": " + fmt(left);
      }
    });
    if (left <= 0) {
      clock.textContent = el.getAttribute("data-expired");
      window.setTimeout(function () { window.location.reload(); }, 6000);
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
