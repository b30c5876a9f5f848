/* Search-as-you-type drop-downs: <select data-choices-url="..."> asks the console for at most a few dozen
   matching rows (scoped to the user's collectivité on the server) instead of listing every row.
   A static file, no inline script: the console's pages run under a strict Content-Security-Policy. */
(function ($) {
  "use strict";

  function init(element) {
    if (element.getAttribute("data-choices-ready")) {
      return;
    }
    element.setAttribute("data-choices-ready", "1");
    $(element).select2({
      ajax: {
        url: element.getAttribute("data-choices-url"),
        dataType: "json",
        delay: 250,
        data: function (params) { return {q: params.term}; }
      },
      minimumInputLength: 2,
      allowClear: !element.required,
      placeholder: element.getAttribute("data-placeholder") || "",
      width: "style"
    });
    name(element);
  }

  // Select2 names its combobox by the chosen value only (nothing while empty): name it by the field's label.
  function name(element) {
    var container = $(element).next(".select2");
    var selection = container.find(".select2-selection")[0];
    if (!selection) {
      return;
    }
    var label = element.labels && element.labels.length ? element.labels[0] : null;
    var rendered = container.find(".select2-selection__rendered")[0];  // role="textbox": named too
    if (label) {
      label.id = label.id || "choices-label-" + (element.id || element.name);
      var value = selection.getAttribute("aria-labelledby");
      selection.setAttribute("aria-labelledby", label.id + (value ? " " + value : ""));
      if (rendered) { rendered.setAttribute("aria-labelledby", label.id); }
    } else {
      var text = element.getAttribute("aria-label") || element.getAttribute("data-placeholder") || element.name;
      selection.setAttribute("aria-label", text);
      if (rendered) { rendered.setAttribute("aria-label", text); }
    }
  }

  $(function () {
    $("select[data-choices-url]").each(function () { init(this); });
  });
  // Flask-AppBuilder's search form builds its filter fields when a filter is added: set them up on first use.
  $(document).on("mousedown focusin", "select[data-choices-url]:not([data-choices-ready])", function () {
    init(this);
    $(this).select2("open");
  });
})(jQuery);
