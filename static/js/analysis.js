/* Selector: the facilitator's what-if panel on the sensitivity page.
   Progressive enhancement: without this file the form recalculates on the server.

   Totals are linear in the category weights (decisions.md), so recomputing them from
   the ranking document's category scores is exact; this mirrors
   selector.domain.method.what_if_totals, order included (with the price method value
   too: total = V * Q / 100 - TCO, the TCO given per vendor by the server). Nothing is sent anywhere and
   nothing is stored: the agreed weights stay as they are. */
(function () {
  "use strict";

  var DECIMALS = 1e9; // totals and qualities are compared after rounding to 9 decimals

  function round9(value) {
    return Math.round(value * DECIMALS) / DECIMALS;
  }

  // Names are compared by Unicode code point (method.md), not by locale.
  function codePointCompare(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) { return d; }
    }
    return x.length - y.length;
  }

  function rankRows(model, points, priceWeight) {
    var total = 0;
    model.categories.forEach(function (c) { total += points[c.key]; });
    if (!(total > 0)) { return null; }
    var rows = model.vendors.map(function (v, agreedIndex) {
      var quality = 0;
      model.categories.forEach(function (c) {
        quality += (points[c.key] / total) * v.category_scores[c.key];
      });
      var price = priceWeight > 0 ? (v.price_score || 0) : null;
      var sum = priceWeight > 0 ? (1 - priceWeight) * quality + priceWeight * price : quality;
      if (model.quality_value) {  // the price method value: V * Q / 100 - TCO
        sum = model.quality_value * quality / 100 - v.tco;
      }
      return { key: v.key, name: v.name, excluded: v.excluded, total: sum, quality: quality,
               agreed: agreedIndex + 1 };
    });
    rows.sort(function (a, b) {
      if (a.excluded !== b.excluded) { return a.excluded ? 1 : -1; }
      var d = round9(b.total) - round9(a.total);
      if (d !== 0) { return d; }
      d = round9(b.quality) - round9(a.quality);
      if (d !== 0) { return d; }
      d = codePointCompare(a.name, b.name);
      if (d !== 0) { return d; }
      return codePointCompare(a.key, b.key);
    });
    rows.forEach(function (row, i) { row.rank = i + 1; });
    return rows;
  }

  function setup(section) {
    var source = document.getElementById("whatif-data");
    var form = section.querySelector("[data-whatif-form]");
    var table = section.querySelector("[data-whatif-table] tbody");
    var words = section.querySelector("[data-whatif-words]");
    if (!source || !form || !table || !words) { return; }
    var model = JSON.parse(source.textContent);
    var locale = words.getAttribute("data-locale") === "nl" ? "nl-NL" : "en-GB";
    var number = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    var percent = new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
    var wholePercent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
    var ranges = Array.prototype.slice.call(form.querySelectorAll("input[data-category]"));
    var priceInput = form.querySelector("input[data-price]");
    var priceOutput = form.querySelector("[data-price-share]");

    function cell(tag, className, text) {
      var element = document.createElement(tag);
      if (className) { element.className = className; }
      if (text !== undefined) { element.textContent = text; }
      return element;
    }

    function render(rows) {
      var body = document.createDocumentFragment();
      rows.forEach(function (row) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-vendor", row.key);
        if (row.excluded) { tr.className = "is-excluded"; }
        if (row.rank !== row.agreed) { tr.className += " is-changed"; }
        var rank = cell("td", "num", String(row.rank));
        rank.setAttribute("data-field", "rank");
        var name = cell("th", "", row.name);
        name.setAttribute("scope", "row");
        if (row.excluded) {
          name.appendChild(document.createTextNode(" "));
          name.appendChild(cell("span", "small muted", "(" + words.getAttribute("data-excluded") + ")"));
        }
        var total = cell("td", "num", number.format(row.total));
        total.setAttribute("data-field", "total");
        var change = cell("td");
        change.setAttribute("data-field", "change");
        var moved = row.agreed - row.rank;
        if (moved > 0) {
          change.appendChild(cell("span", "move move--up", "\u25B2 " + moved));
        } else if (moved < 0) {
          change.appendChild(cell("span", "move move--down", "\u25BC " + (-moved)));
        } else {
          change.appendChild(cell("span", "move", "="));
        }
        tr.appendChild(rank); tr.appendChild(name); tr.appendChild(total); tr.appendChild(change);
        body.appendChild(tr);
      });
      table.replaceChildren(body);
    }

    function update() {
      var points = {};
      var sum = 0;
      ranges.forEach(function (input) {
        var value = parseFloat(input.value);
        points[input.getAttribute("data-category")] = value >= 0 ? value : 0;
        sum += points[input.getAttribute("data-category")];
      });
      ranges.forEach(function (input) {
        var key = input.getAttribute("data-category");
        var output = form.querySelector('[data-share-for="' + key + '"]');
        if (output) { output.textContent = sum > 0 ? percent.format(points[key] / sum) : "–"; }
      });
      var priceWeight = model.price_weight;
      if (priceInput) {
        priceWeight = Math.min(Math.max(parseFloat(priceInput.value) / 100, 0), 0.99);
        if (priceOutput) { priceOutput.textContent = wholePercent.format(priceWeight); }
      }
      var rows = rankRows(model, points, priceWeight);
      if (rows) { render(rows); }
      section.setAttribute("data-whatif-updated", String(Date.now()));
    }

    form.addEventListener("input", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    var reset = form.querySelector("[data-whatif-reset]");
    if (reset) {
      reset.addEventListener("click", function (event) {
        event.preventDefault();
        ranges.forEach(function (input) { input.value = input.getAttribute("data-agreed"); });
        if (priceInput) { priceInput.value = priceInput.getAttribute("data-agreed"); }
        update();
      });
    }
    section.classList.add("js-live");
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("what-if");
    if (section) { setup(section); }
  });
})();
