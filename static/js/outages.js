// Outage page: a "select all" box ticks every order box of its group (no inline script: CSP).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("[data-select-all]")) return;
  var group = box.getAttribute("data-select-all");
  document.querySelectorAll('input[data-group="' + group + '"]').forEach(function (item) {
    item.checked = box.checked;
  });
});
