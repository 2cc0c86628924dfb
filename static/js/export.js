/* The export page: polls the export's state (its JSON URL in #export-status[data-poll-url]) and
   updates the progress bar, the counts, the download button and the error. */
(function () {
  "use strict";
  var status = document.getElementById("export-status");
  var bar = document.getElementById("export-bar");
  if (!status || !bar) { return; }
  var url = status.getAttribute("data-poll-url");

  function show(progress) {
    bar.style.width = progress + "%";
    bar.textContent = progress + "%";
    bar.setAttribute("data-progress", progress);
    bar.parentNode.setAttribute("aria-valuenow", progress);
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (j) {
        show(j.progress);
        document.getElementById("export-written").textContent = j.written;
        document.getElementById("export-total").textContent = j.total;
        status.setAttribute("data-status", j.status);
        var state = document.getElementById("export-state");
        if (state && j.status_label) { state.textContent = j.status_label; }  // 排队中 → 生成中 → 已完成
        if (j.status === "done") { document.getElementById("export-download").classList.remove("d-none"); return; }
        if (j.status === "failed") { document.getElementById("export-error").textContent = j.error; return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 5000); });  // a network hiccup: try again, more slowly
  }

  show(bar.getAttribute("data-progress") || 0);
  var state = status.getAttribute("data-status");
  if (state !== "done" && state !== "failed") { setTimeout(poll, 500); }
})();
