/* The requirements pages: progressive enhancement only; every page works without it.
   - "select all" boxes: <input type="checkbox" data-select-all="NAME" [data-scope="ID"]>
   - the suggested code follows the chosen category (placeholder of the code field)
   - the knock-out rationale shows when "knock-out" is ticked */
(function () {
  "use strict";

  function boxes(master) {
    var name = master.getAttribute("data-select-all");
    var scopeId = master.getAttribute("data-scope");
    var scope = scopeId ? document.getElementById(scopeId) : master.form || document;
    if (!scope) { return []; }
    return Array.prototype.filter.call(
      scope.querySelectorAll("input[type=checkbox][name='" + name + "']"),
      function (box) { return !box.disabled; });
  }

  function selectAll(master) {
    master.hidden = false;
    var holder = master.closest("[hidden]");
    if (holder) { holder.hidden = false; }
    master.addEventListener("change", function () {
      boxes(master).forEach(function (box) { box.checked = master.checked; });
    });
  }

  function codeSuggestions(select) {
    var suggestions;
    try { suggestions = JSON.parse(select.getAttribute("data-code-suggestions")); }
    catch (e) { return; }
    var code = select.form && select.form.querySelector("input[name='code']");
    if (!code || code.value) { return; }
    var update = function () {
      code.placeholder = suggestions[select.value] || "";
    };
    select.addEventListener("change", update);
    update();
  }

  function reveals(box) {
    var target = document.getElementById(box.getAttribute("data-reveals"));
    if (!target) { return; }
    var update = function () {
      var hasError = target.querySelector("[aria-invalid='true']");
      target.hidden = !box.checked && !hasError;
    };
    box.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-select-all]").forEach(selectAll);
    document.querySelectorAll("[data-code-suggestions]").forEach(codeSuggestions);
    document.querySelectorAll("[data-reveals]").forEach(reveals);
  });
})();
