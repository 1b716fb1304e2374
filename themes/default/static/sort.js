// Sortable tables: a click on a column heading of a `table.sortable` sorts
// its rows by that column, a second click reverses the order. A plain
// script (no modules, no requests), so it works from file:// and under the
// pages' Content-Security-Policy; without it the tables read as built.
// Headings marked data-sort="number" sort numerically; a cell's
// data-sort-value, when present, is what it sorts by.
(function () {
  "use strict";

  function value(cell, numeric) {
    if (!cell) return numeric ? -Infinity : "";
    var raw = cell.hasAttribute("data-sort-value")
      ? cell.getAttribute("data-sort-value")
      : cell.textContent.trim();
    if (!numeric) return raw;
    var n = parseFloat(raw);
    return isNaN(n) ? -Infinity : n;
  }

  function sortBy(table, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var column = th.cellIndex;
    var numeric = th.getAttribute("data-sort") === "number";
    var order = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    var lang = document.documentElement.lang || undefined;
    var rows = Array.prototype.map.call(body.rows, function (row, i) {
      return { row: row, key: value(row.cells[column], numeric), at: i };
    });
    rows.sort(function (a, b) {
      var c = numeric
        ? (a.key > b.key) - (a.key < b.key)
        : String(a.key).localeCompare(String(b.key), lang, { numeric: true });
      if (order === "descending") c = -c;
      return c || a.at - b.at;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      if (h !== th) h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", order);
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (!th.hasAttribute("data-sort")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th); });
    });
  });
})();
