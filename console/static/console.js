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

(function ($) {
  "use strict";
  // Date fields of the model forms: typed DD/MM/YYYY, and a French calendar starting on Monday.
  if (!$ || !$.fn.datepicker) { return; }
  $.fn.datepicker.dates.fr = {
    days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    daysShort: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
    daysMin: ["di", "lu", "ma", "me", "je", "ve", "sa"],
    months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"],
    monthsShort: ["janv.", "févr.", "mars", "avril", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
    today: "Aujourd’hui", clear: "Effacer", weekStart: 1, format: "dd/mm/yyyy"
  };
  $(function () {
    var french = (document.documentElement.lang || "fr").indexOf("fr") === 0;
    $("input.console-date").datepicker({
      format: "dd/mm/yyyy", language: french ? "fr" : "en", weekStart: 1, autoclose: true, forceParse: false
    });
  });
})(window.jQuery);

(function () {
  "use strict";
  // Select2 names its remove buttons in English whatever the page's language.
  if ((document.documentElement.lang || "fr").indexOf("fr") !== 0) { return; }
  function frenchTitles() {
    document.querySelectorAll(".select2-selection__choice__remove[title], .select2-selection__clear[title]")
      .forEach(function (button) {
        var title = button.classList.contains("select2-selection__clear") ? "Tout retirer" : "Retirer";
        if (button.getAttribute("title") !== title) { button.setAttribute("title", title); }
        if (button.getAttribute("aria-label") !== title) { button.setAttribute("aria-label", title); }
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    frenchTitles();
    new MutationObserver(frenchTitles).observe(document.body, {childList: true, subtree: true});
  });
})();

(function () {
  "use strict";
  // Flask-AppBuilder's filter script inserts a copy of a date filter's input (and its hint) each time the
  // filter is added: give each copy's hint its own id, so that each input names its own.
  var copies = 0;
  function number(root) {
    root.querySelectorAll("input.console-filter-date:not([data-hint-numbered])").forEach(function (input) {
      var hint = input.nextElementSibling;
      input.setAttribute("data-hint-numbered", "");
      if (!hint || !hint.classList.contains("field-hint")) { return; }
      copies += 1;
      hint.id = hint.id + "-" + copies;
      input.setAttribute("aria-describedby", hint.id);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    number(document);
    new MutationObserver(function () { number(document); }).observe(document.body, {childList: true, subtree: true});
  });
})();
