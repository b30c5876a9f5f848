/* Behaviour shared by every page of the console (kept out of the pages: the Content-Security-Policy
   forbids inline scripts). */
(function () {
  "use strict";
  // Bootstrap 3 leaves the menu button's aria-expanded as it was: keep it true while the menu is open.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".navbar-toggle");
    if (toggle) {
      toggle.setAttribute("aria-expanded", toggle.getAttribute("aria-expanded") === "true" ? "false" : "true");
    }
  });
})();

(function () {
  "use strict";
  // Select2 (Flask-AppBuilder's multiple choice fields) builds a search box with no name and a list of
  // spans: name the box after the field's label and drop the list semantics, each time it is rebuilt.
  function repair(root) {
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (input) {
      var container = input.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var label = select && select.id && document.querySelector('label[for="' + select.id + '"]');
      input.setAttribute("aria-label", label ? label.textContent.trim() : document.title);
    });
    root.querySelectorAll("ul.select2-selection__rendered:not([role])").forEach(function (list) {
      list.setAttribute("role", "presentation");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    repair(document);
    new MutationObserver(function () { repair(document); }).observe(document.body, {childList: true, subtree: true});
  });
})();
