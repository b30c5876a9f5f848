/* The Exports page: follow the progress of unfinished exports (rows done / total) and reload once one
   finishes, to show its download link. */
(function () {
  "use strict";
  function draw(row, state) {
    var bar = row.querySelector(".progress-bar");
    var rows = row.querySelector(".export-rows");
    bar.style.width = state.percent + "%";
    bar.textContent = state.percent + "\u00a0%";
    bar.setAttribute("aria-valuenow", state.percent);
    row.querySelector(".export-status").textContent = state.status_label;
    rows.textContent = state.rows_done + (state.rows_total === null ? "" : " / " + state.rows_total) + " " +
      rows.dataset.rowsLabel;
  }
  function poll() {
    var rows = document.querySelectorAll('tr[data-status="queued"], tr[data-status="running"]');
    if (!rows.length) { return; }
    rows.forEach(function (row) {
      fetch(row.dataset.progressUrl, {credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (state.status === "done" || state.status === "failed") { window.location.reload(); return; }
          draw(row, state);
        });
    });
    window.setTimeout(poll, 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Widths are set here rather than in the page: the Content-Security-Policy forbids inline styles.
    document.querySelectorAll("#export-list .progress-bar[data-percent]").forEach(function (bar) {
      bar.style.width = bar.dataset.percent + "%";
    });
    window.setTimeout(poll, 1000);
  });
})();
