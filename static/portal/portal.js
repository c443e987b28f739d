/* Small page behaviours, kept out of the templates so the Content-Security-Policy can forbid inline
   script and style (issue 7). htmx.onLoad runs on the page and on every piece htmx swaps in. */
(function () {
  "use strict";
  function setUp(root) {
    /* A progress bar's width from its data-progress attribute (a style attribute would be refused). */
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-progress") + "%";
    });
    /* Buttons that tick or untick every checkbox of a name: data-tick="members" data-checked="true". */
    root.querySelectorAll("[data-tick]").forEach(function (button) {
      if (button.dataset.tickReady) { return; }
      button.dataset.tickReady = "1";
      button.addEventListener("click", function () {
        var checked = button.getAttribute("data-checked") === "true";
        document.querySelectorAll("input[type=checkbox][name='" + button.getAttribute("data-tick") + "']")
          .forEach(function (box) { box.checked = checked; });
      });
    });
  }
  if (window.htmx) {
    htmx.onLoad(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  }
}());
