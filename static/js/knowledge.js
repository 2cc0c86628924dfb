/* Knowledge base (issue 16): the intake page's panel follows the chosen category, and a reply or
   callback form's template picker puts the chosen text into the form's text box (and counts the
   use). Event delegation only: the order page's forms are swapped in by htmx. */
(function () {
  "use strict";
  if (window.knowledgeReady) { return; }
  window.knowledgeReady = true;

  // Intake: the category picker sets its hidden leaf input in its own change listener (which runs
  // before this one, on the document); ask the panel to reload when the chosen leaf changed.
  var lastCategory = null;
  document.addEventListener("change", function (e) {
    var picker = e.target.closest && e.target.closest("#intake-form [data-category-picker]");
    var panel = document.querySelector("[data-knowledge-panel]");
    if (!picker || !panel) { return; }
    var leaf = picker.querySelector("input[data-leaf]");
    var value = leaf ? leaf.value : "";
    if (value === lastCategory) { return; }
    lastCategory = value;
    panel.dispatchEvent(new CustomEvent("knowledge-category", {bubbles: false}));
  });

  // Order page: a template chosen in a reply or callback form fills that form's text box.
  document.addEventListener("change", function (e) {
    var select = e.target;
    if (!select.matches || !select.matches("select[data-knowledge-template]") || !select.form) { return; }
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) { return; }
    var box = select.form.querySelector("textarea[name='" + select.getAttribute("data-fill") + "']");
    if (!box) { return; }
    var text = option.getAttribute("data-body") || "";
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
    box.dispatchEvent(new Event("input", {bubbles: true}));  // the character counter follows
    box.focus();
    var url = option.getAttribute("data-use-url");
    var token = select.form.querySelector("input[name=csrfmiddlewaretoken]");
    if (url && token && window.fetch) {
      fetch(url, {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token.value}})
        .catch(function () { /* a lost count never blocks the reply */ });
    }
  });
})();
