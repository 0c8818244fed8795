// The admin's tabular rows and autocomplete boxes, named for screen readers: a row's inputs
// take the name of their column, an autocomplete box the name of the select it stands for,
// and the empty heading over each row's own column says what the column is.
(function () {
  "use strict";

  function columnNames(table) {
    return Array.from(table.querySelectorAll("thead th")).map(function (th) {
      return th.textContent.trim();
    });
  }

  function nameRows(root) {
    root.querySelectorAll(".tabular table").forEach(function (table) {
      table.querySelectorAll("thead th").forEach(function (th) {
        if (!th.textContent.trim()) {
          th.insertAdjacentHTML("beforeend", '<span class="visually-hidden">Saved row</span>');
        }
      });
      var names = columnNames(table);
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.from(row.children).forEach(function (cell, index) {
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (control) {
            var labelled = control.labels && control.labels.length;
            if (!labelled && !control.getAttribute("aria-label") && names[index]) {
              control.setAttribute("aria-label", names[index]);
            }
          });
        });
      });
    });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      if (!box) return;
      var label = select.getAttribute("aria-label") ||
        (select.labels && select.labels.length ? select.labels[0].textContent.trim() : "");
      if (label) {
        box.setAttribute("aria-label", label);
        box.removeAttribute("aria-labelledby");
        var shown = box.querySelector("[role=textbox]");
        if (shown) shown.setAttribute("aria-label", label);
      }
    });
  }

  function name(root) {
    nameRows(root);
    nameAutocompletes(root);
  }

  // Whenever the admin's own scripts build rows or autocomplete boxes (on DOM ready, when a
  // row is added), name what they built.
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; name(document); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { name(document); });
})();
