/* The quality scoring form: the running total of the items (the server recomputes it). */
(function () {
  "use strict";
  function update(form) {
    var total = 0;
    form.querySelectorAll("[data-quality-item]").forEach(function (input) {
      var value = parseInt(input.value, 10);
      var max = parseInt(input.getAttribute("max"), 10);
      if (!isNaN(value) && value >= 0) total += Math.min(value, max);
    });
    var out = form.querySelector("[data-quality-total]");
    if (out) out.textContent = String(total);
  }
  document.querySelectorAll("form[data-quality-form]").forEach(function (form) {
    form.addEventListener("input", function () { update(form); });
    update(form);
  });
})();
