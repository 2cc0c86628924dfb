/* Workbench behaviour: keyboard shortcuts, the cascading category picker, customer fill-in, and the
   listeners that replace inline event handlers (the Content-Security-Policy allows none). */
(function () {
  "use strict";

  // "/" focuses the global search unless the user is typing somewhere.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("global-search");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });

  // Ctrl+Enter in a form submits it with its main button (agents keep their hands on the keyboard).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    var form = e.target && e.target.form;
    if (!form) return;
    var button = form.querySelector("button[type=submit]");
    if (button) { e.preventDefault(); button.click(); }
  });

  // Cascading three-level category picker. Markup: [data-category-picker] holding a JSON tree
  // (script[type=application/json]), three selects [data-level=1|2|3] and a hidden input[data-leaf].
  function initPicker(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var tree = JSON.parse(root.querySelector("script[type='application/json']").textContent);
    var byId = {}, children = {};
    tree.forEach(function (c) {
      byId[c.id] = c;
      var key = c.parent || 0;
      (children[key] = children[key] || []).push(c);
    });
    var selects = [1, 2, 3].map(function (l) { return root.querySelector("[data-level='" + l + "']"); });
    var leaf = root.querySelector("input[data-leaf]");
    var placeholder = root.dataset.placeholder || "—";

    function fill(select, parentId, chosen) {
      select.innerHTML = "";
      var opt = document.createElement("option");
      opt.value = ""; opt.textContent = placeholder;
      select.appendChild(opt);
      (children[parentId] || []).forEach(function (c) {
        var o = document.createElement("option");
        o.value = c.id; o.textContent = c.code + " " + c.name;
        if (String(c.id) === String(chosen)) o.selected = true;
        select.appendChild(o);
      });
      select.disabled = !(children[parentId] || []).length;
    }
    function update(level) {
      for (var l = level; l < 3; l++) {
        var parent = selects[l - 1].value;
        fill(selects[l], parent || -1, null);
      }
      var chosen = "";
      for (var i = 2; i >= 0; i--) {
        var v = selects[i].value;
        if (v) { if (!(children[v] || []).length) chosen = v; break; }
      }
      leaf.value = chosen;
    }
    // Restore a chosen leaf (after a failed submit) or start empty.
    var path = [], node = byId[leaf.value];
    while (node) { path.unshift(node.id); node = byId[node.parent]; }
    fill(selects[0], 0, path[0]);
    fill(selects[1], path[0] || -1, path[1]);
    fill(selects[2], path[1] || -1, path[2]);
    selects.forEach(function (s, i) { s.addEventListener("change", function () { update(i + 1); }); });
  }

  // "Use this customer": fill blank intake fields from the lookup result.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-fill-customer]");
    if (!btn) return;
    var form = document.getElementById("intake-form");
    ["customer_name", "address", "account_no", "phone"].forEach(function (name) {
      var input = form.elements[name], value = btn.dataset[name.replace(/_(\w)/g, function (m, c) { return c.toUpperCase(); })];
      if (input && value && !input.value) input.value = value;
    });
    var next = form.elements["channel"];
    if (next) next.focus();
  });

  // A select marked data-autosubmit submits its form when changed (the language switch).
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) t.form.submit();
  });

  // A button marked data-action="print" prints the page (the printable report).
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-action='print']");
    if (btn) { e.preventDefault(); window.print(); }
  });

  function initAll(root) {
    (root || document).querySelectorAll("[data-category-picker]").forEach(initPicker);
    // After a failed submit the keyboard lands on the first field to fix.
    var bad = (root || document).querySelector("form .is-invalid");
    if (bad) { bad.focus(); return; }
    // After an action swapped the order in place, the keyboard continues from its message.
    var flash = root && root.querySelector && root.querySelector("[data-testid=flash]");
    if (flash) { flash.setAttribute("tabindex", "-1"); flash.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) { initAll(e.target); });
})();

/* --- Issue 14: submit once, and the next call ------------------------------------------------------
   A form marked data-once is sent once: a second submit (a double click, Enter pressed twice) is
   dropped and its submit buttons are disabled while the request runs. The buttons are disabled
   after the browser has read the form (the clicked button's name, e.g. "draft", must still be
   sent). htmx forms use hx-disabled-elt, and htmx drops a second request on the same element.
   Alt+N (or the [data-next-call] button) clears the intake form for the next call. */
(function () {
  "use strict";

  function submitButtons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-once]")) return;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return; // htmx's own
    if (form.dataset.sending) { e.preventDefault(); return; }
    if (e.defaultPrevented) return;
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      submitButtons(form).forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Back from the next page (the browser's page cache): the form may be used again.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    document.querySelectorAll("form[data-once][data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.removeAttribute("aria-busy");
      submitButtons(form).forEach(function (b) { b.disabled = false; });
    });
  });

  // An htmx form marked data-once is not sent while its last request is still running.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var el = e.detail && e.detail.elt;
    if (!el || !el.matches || !el.matches("form[data-once]")) return;
    if (el.dataset.sending) { e.preventDefault(); return; }
    el.dataset.sending = "1";
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var el = e.detail && e.detail.elt;
    if (el && el.dataset) delete el.dataset.sending;
  });

  // Alt+N: the next call (a fresh intake form), wherever the page offers it.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.code !== "KeyN") return;
    var link = document.querySelector("[data-next-call]");
    if (!link) return;
    e.preventDefault();
    window.location.assign(link.href);
  });

  // After the urge from intake, the keyboard lands on its "next call" button.
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.target && e.target.querySelector ? e.target : null;
    var next = target && (target.matches("[data-autofocus]") ? target : target.querySelector("[data-autofocus]"));
    if (!next && e.detail && e.detail.elt && e.detail.elt.querySelector) {
      next = e.detail.elt.querySelector("[data-autofocus]");
    }
    if (next) next.focus();
  });
})();
/* --- end of issue 14: submit once, and the next call --- */
