/* Chéquier imports: follow an unfinished import's progress and reload the page once it ends. */
(function () {
  "use strict";
  function poll() {
    var items = document.querySelectorAll('.job-list [data-status="queued"], .job-list [data-status="running"],' +
                                          ' .job-list[data-status="queued"], .job-list[data-status="running"]');
    if (!items.length) { return; }
    items.forEach(function (item) {
      fetch(item.dataset.progressUrl, {credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (state.finished) { window.location.reload(); return; }
          var bar = item.querySelector(".progress-bar");
          if (bar) {
            bar.style.width = state.percent + "%";
            bar.textContent = state.percent + "\u00a0%";
            bar.setAttribute("aria-valuenow", state.percent);
          }
        });
    });
    window.setTimeout(poll, 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Widths are set here rather than in the page: the Content-Security-Policy forbids inline styles.
    document.querySelectorAll(".job-list .progress-bar[data-percent]").forEach(function (bar) {
      bar.style.width = bar.dataset.percent + "%";
    });
    window.setTimeout(poll, 1000);
  });
})();
