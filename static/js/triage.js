/* Triage aids (issue 14): the handler list follows the chosen department (a JSON of handlers per
   department: #assign-handlers on the order page, the bulk form's data-handlers elsewhere), the
   suggested department is applied only when the dispatcher clicks "use", and a queue's "select
   all" box ticks the page's orders for the bulk assignment. */
(function () {
  "use strict";

  function handlersFor(form) {
    var id = form.getAttribute("data-handlers") || "assign-handlers";
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function filterHandlers(form) {
    var dept = form.querySelector("select[name=department]");
    var who = form.querySelector("select[name=assignee]");
    var table = handlersFor(form);
    if (!dept || !who || !table) { return; }
    var keep = who.value;
    var list = table[dept.value] || [];
    var blank = who.querySelector("option[value='']");
    while (who.firstChild) { who.removeChild(who.firstChild); }
    var first = blank || document.createElement("option");
    if (!blank) { first.value = ""; first.textContent = "—"; }
    who.appendChild(first);
    list.forEach(function (pair) {
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      if (pair[0] === keep) { option.selected = true; }
      who.appendChild(option);
    });
    who.disabled = !dept.value;
  }

  function assignForms(root) {
    var forms = [];
    (root || document).querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("select[name=department]") && form.querySelector("select[name=assignee]")) {
        forms.push(form);
      }
    });
    return forms;
  }

  function init(root) { assignForms(root).forEach(filterHandlers); }

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[name=department]") && el.form) { filterHandlers(el.form); }
    if (el.matches && el.matches("input[data-check-all]")) {
      var formId = el.getAttribute("data-check-all");
      document.querySelectorAll("input[type=checkbox][name=ids][form='" + formId + "']").forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-suggest-department]");
    if (!button) { return; }
    var details = document.querySelector("details[data-action=assign]");
    var select = details && details.querySelector("select[name=department]");
    if (!select) { return; }
    details.open = true;
    select.value = button.getAttribute("data-suggest-department");
    select.dispatchEvent(new Event("change", {bubbles: true}));
    select.focus();
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
