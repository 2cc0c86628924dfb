/* The order detail page: a character counter under each long text field of the action forms.

   A textarea with data-max-chars="N" has a [data-count-for=<its id>] element that shows "n / N",
   marked (text-danger, .over) once the text is longer than N: the server refuses it then, saying
   by how much. Listeners are delegated, so forms swapped in by htmx count too. */
(function () {
  "use strict";

  function update(field) {
    var max = parseInt(field.dataset.maxChars, 10);
    var out = document.querySelector("[data-count-for='" + field.id + "']");
    if (!out || !max) return;
    var n = Array.from(field.value).length;  // characters, not UTF-16 units
    out.textContent = n + " / " + max;
    var over = n > max;
    out.classList.toggle("text-danger", over);
    out.classList.toggle("over", over);
    // Mark the field while too long; leave a server's own error mark alone.
    if (over) { field.classList.add("is-invalid"); field.dataset.overMarked = "1"; }
    else if (field.dataset.overMarked) { field.classList.remove("is-invalid"); delete field.dataset.overMarked; }
  }

  function initCounters(root) {
    (root || document).querySelectorAll("textarea[data-max-chars]").forEach(update);
  }

  document.addEventListener("input", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("textarea[data-max-chars]")) update(t);
  });
  document.addEventListener("DOMContentLoaded", function () { initCounters(document); });
  document.addEventListener("htmx:afterSettle", function (e) { initCounters(e.target); });
})();
