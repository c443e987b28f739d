/* Behaviours of the secretaries' long forms (issue 12), kept out of the templates for the
   Content-Security-Policy. */
(function () {
  "use strict";

  /* The row a validation error names is scrolled into view and its first field focused. */
  function showErrorRow() {
    var row = document.querySelector("[data-error-row]");
    if (!row) { return; }
    var details = row.closest("details");
    if (details) { details.open = true; }
    row.scrollIntoView({block: "center"});
    var field = row.querySelector("input:not([type=hidden]), select, textarea");
    if (field) { field.focus({preventScroll: true}); }
  }

  /* Parts shown for some kinds of meeting only: data-shown-for-kind="themed_day". A hidden part's fields
     are disabled, so they are not sent. */
  function followKind() {
    var kind = document.getElementById("id_kind");
    if (!kind) { return; }
    function apply() {
      document.querySelectorAll("[data-shown-for-kind]").forEach(function (part) {
        var shown = part.getAttribute("data-shown-for-kind").split(" ").indexOf(kind.value) >= 0;
        part.hidden = !shown;
        part.querySelectorAll("input, select, textarea").forEach(function (field) { field.disabled = !shown; });
      });
    }
    kind.addEventListener("change", apply);
    apply();
  }

  /* The attendance list reloads with the choices already made (hx-include); only those that differ from
     the defaults (present, no reason) are sent, so that a large branch's request stays short (a long
     query string is refused by the server). The server takes a missing row as present. */
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "attendance-loader") { return; }
    var data = event.detail.formData, drop = [];
    data.forEach(function (value, name) {
      if ((/^attendance_\d+$/.test(name) && value === "present") || (/^reason_\d+$/.test(name) && value === "")) {
        drop.push(name);
      }
    });
    drop.forEach(function (name) { data.delete(name); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    followKind();
    showErrorRow();
  });
}());
