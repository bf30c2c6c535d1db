/* Weighting: a live total and shares while typing, and sliders beside the number
   inputs. Progressive enhancement only: without this file the page shows plain
   number inputs and a save button, and the server computes everything.
   No inline script anywhere (Content-Security-Policy). */
(function () {
  "use strict";

  function parse(text) {
    var value = String(text || "").trim();
    if (value === "") { return 0; }
    if (value.indexOf(",") !== -1 && value.indexOf(".") === -1) { value = value.replace(",", "."); }
    var number = Number(value);
    return isFinite(number) && number >= 0 ? number : NaN;
  }

  function formatter(lang) {
    try {
      return {
        share: new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
        total: new Intl.NumberFormat(lang, { maximumFractionDigits: 2 })
      };
    } catch (e) {
      return { share: { format: function (x) { return x.toFixed(1); } },
               total: { format: function (x) { return String(Math.round(x * 100) / 100); } } };
    }
  }

  function enhance(form) {
    var lang = document.documentElement.lang || "en";
    var format = formatter(lang);
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-points]"));
    var total = form.querySelector("output[data-total]");

    function update() {
      var sum = 0, bad = false;
      inputs.forEach(function (input) {
        var value = parse(input.value);
        if (isNaN(value)) { bad = true; } else { sum += value; }
      });
      if (total) { total.textContent = bad ? "–" : format.total.format(sum); }
      inputs.forEach(function (input) {
        var cell = form.querySelector("[data-share-for='" + CSS.escape(input.getAttribute("data-points")) + "']");
        if (!cell) { return; }
        var value = parse(input.value);
        cell.textContent = (bad || isNaN(value) || sum <= 0) ? "–" : format.share.format(100 * value / sum) + "%";
      });
    }

    inputs.forEach(function (input) {
      if (form.hasAttribute("data-no-sliders")) {
        input.addEventListener("input", update);
        return;
      }
      var slider = document.createElement("input");
      slider.type = "range";
      slider.min = "0";
      slider.step = "1";
      slider.className = "alloc__slider";
      slider.tabIndex = -1;  // the number input is the keyboard's way in; the slider is for the mouse
      slider.setAttribute("aria-hidden", "true");
      var start = parse(input.value);
      slider.max = String(Math.max(100, Math.ceil(isNaN(start) ? 0 : start)));
      slider.value = String(isNaN(start) ? 0 : start);
      slider.addEventListener("input", function () {
        input.value = slider.value;
        update();
      });
      input.addEventListener("input", function () {
        var value = parse(input.value);
        if (!isNaN(value)) {
          if (value > Number(slider.max)) { slider.max = String(Math.ceil(value)); }
          slider.value = String(value);
        }
        update();
      });
      input.insertAdjacentElement("afterend", slider);
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-allocation]").forEach(enhance);
  });
})();
