/* Selector: the live example on the price settings page.
   Progressive enhancement: without this file the page shows the example as the server
   computed it (selector.services.weighting.price_example) for the settings as shown.

   This mirrors selector.domain.price: the impossible settings of `problems`, the price
   scores of `price_scores` (clamped to 0..100) and the fictitious price of `value`,
   and totals as method.md section 5 computes them. It also shows the rank-reversal
   warning while a relative method has a price weight above 0. Nothing is sent. */
(function () {
  "use strict";

  var METHODS = ["lowest_ratio", "linear_bids", "linear_fixed", "log", "value"];
  var RELATIVE = ["lowest_ratio", "linear_bids", "log"];
  var PARAMETERS = {
    lowest_ratio: [], linear_bids: [], linear_fixed: ["price_full", "price_zero"],
    log: ["log_factor"], value: ["quality_value"]
  };

  // As the service reads a typed number: empty is null, a decimal comma is fine.
  function parse(text) {
    var value = String(text === undefined || text === null ? "" : text).trim();
    if (value === "") { return null; }
    if (value.split(",").length === 2 && value.indexOf(".") === -1) { value = value.replace(",", "."); }
    var number = Number(value);
    return isFinite(number) ? number : NaN;
  }

  function possible(s) {
    if (METHODS.indexOf(s.method) === -1) { return false; }
    if (!(s.weight >= 0 && s.weight < 1)) { return false; }
    if (!(s.quality_threshold >= 0 && s.quality_threshold <= 100)) { return false; }
    var needed = PARAMETERS[s.method];
    for (var i = 0; i < needed.length; i++) {
      var v = s[needed[i]];
      if (v === null || isNaN(v)) { return false; }
    }
    if (s.method === "linear_fixed") { return s.price_full > 0 && s.price_full < s.price_zero; }
    if (s.method === "log") { return s.log_factor > 1; }
    if (s.method === "value") { return s.quality_value > 0; }
    return true;
  }

  function clamp(x) { return Math.min(100, Math.max(0, x)); }

  function priceScore(s, tco, lo, hi) {
    if (s.method === "lowest_ratio") { return 100 * lo / tco; }
    if (s.method === "linear_bids") { return hi === lo ? 100 : 100 * (hi - tco) / (hi - lo); }
    if (s.method === "linear_fixed") { return 100 * (s.price_zero - tco) / (s.price_zero - s.price_full); }
    return 100 * (1 - Math.log(tco / lo) / Math.log(s.log_factor));
  }

  function example(s, bids) {
    var prices = bids.map(function (b) { return b.price; });
    var lo = Math.min.apply(null, prices), hi = Math.max.apply(null, prices);
    return bids.map(function (b) {
      if (s.method === "value") {
        var fictitious = b.price - s.quality_value * b.quality / 100;
        return { label: b.label, score: null, fictitious: fictitious, total: -fictitious };
      }
      var score = clamp(priceScore(s, b.price, lo, hi));
      return { label: b.label, score: score, fictitious: null,
               total: (1 - s.weight) * b.quality + s.weight * score };
    });
  }

  function setup(form, section) {
    var locale = section.getAttribute("data-locale") === "nl" ? "nl-NL" : "en-GB";
    var points = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    function money(x) {
      var whole = Math.round(x) === x;
      return new Intl.NumberFormat(locale, { style: "currency", currency: "EUR",
        minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2 }).format(x);
    }
    var words = section.querySelector("[data-example-words]");
    var outcome = section.querySelector('[data-field="example_outcome"]');
    var warning = document.querySelector("[data-reversal-warning]");
    var rows = Array.prototype.slice.call(section.querySelectorAll("tr[data-bid]"));
    var bids = rows.map(function (row) {
      return { label: row.getAttribute("data-bid"), price: Number(row.getAttribute("data-price")),
               quality: Number(row.getAttribute("data-quality")), row: row };
    });

    function value(name) {
      var input = form.querySelector('[name="' + name + '"]');
      return input ? input.value : "";
    }

    function settings() {
      var chosen = form.querySelector('input[name="price_method"]:checked');
      var weight = parse(value("price_weight"));
      var threshold = parse(value("quality_threshold"));
      return {
        method: chosen ? chosen.value : "",
        weight: weight === null ? 0 : weight / 100,
        quality_threshold: threshold === null ? 0 : threshold,
        price_full: parse(value("price_full")), price_zero: parse(value("price_zero")),
        log_factor: parse(value("log_factor")), quality_value: parse(value("quality_value"))
      };
    }

    function show(selector, visible) {
      Array.prototype.forEach.call(section.querySelectorAll(selector), function (element) {
        element.hidden = !visible;
      });
    }

    function cell(row, field, text) {
      var element = row.querySelector('[data-field="' + field + '"]');
      if (element) { element.textContent = text; }
    }

    function update() {
      var s = settings();
      if (warning) { warning.hidden = !(RELATIVE.indexOf(s.method) !== -1 && s.weight > 0); }
      show("[data-by-score]", s.method !== "value");
      show("[data-by-value]", s.method === "value");
      if (!possible(s)) {
        bids.forEach(function (b) {
          ["example_price_score", "example_total", "example_fictitious"].forEach(function (f) {
            cell(b.row, f, "\u2013");
          });
        });
        outcome.textContent = words.getAttribute("data-incomplete");
        return;
      }
      var results = example(s, bids);
      results.forEach(function (r, i) {
        var row = bids[i].row;
        cell(row, "example_price_score", r.score === null ? "\u2013" : points.format(r.score));
        cell(row, "example_total", r.fictitious === null ? points.format(r.total) : "\u2013");
        cell(row, "example_fictitious", r.fictitious === null ? "\u2013" : money(r.fictitious));
      });
      if (Math.abs(results[0].total - results[1].total) < 1e-9) {
        outcome.textContent = words.getAttribute("data-level");
      } else {
        var first = results[0].total > results[1].total ? results[0] : results[1];
        outcome.textContent = words.getAttribute("data-first").replace("{label}", first.label);
      }
      section.setAttribute("data-example-updated", String(Date.now()));
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-price-form]");
    var section = document.querySelector("[data-price-example]");
    if (form && section) { setup(form, section); }
  });
})();
