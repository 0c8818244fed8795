// Your list: kept in this tab's sessionStorage while it is being built (gone when the tab
// closes; never sent to the server, never in localStorage or a cookie). Every page works
// without this script: the links carry the list in the address.
(function () {
  "use strict";
  var KEY = "library-list";
  var MAX = 50;

  function read() {
    try {
      return (window.sessionStorage.getItem(KEY) || "").split(",").filter(Boolean);
    } catch (error) {
      return [];
    }
  }

  function write(items) {
    try {
      window.sessionStorage.setItem(KEY, items.slice(0, MAX).join(","));
    } catch (error) { /* storage refused: the links still carry the list */ }
  }

  function listUrl(items) {
    return "/list/?items=" + items.join(",");
  }

  // A resource's page: "Add to your list".
  document.querySelectorAll("[data-list-item]").forEach(function (link) {
    var item = link.getAttribute("data-list-item");
    var status = document.querySelector("[data-list-status]");
    function show() {
      var items = read();
      if (items.indexOf(item) >= 0) {
        link.textContent = "In your list (" + items.length + "): see it";
        link.href = listUrl(items);
      }
    }
    link.addEventListener("click", function (event) {
      var items = read();
      if (items.indexOf(item) < 0 && items.length < MAX) {
        event.preventDefault();
        items.push(item);
        write(items);
        show();
        if (status) status.textContent = "Added to your list.";
      }
    });
    show();
  });

  // The list page: the address is the list; keep the tab's copy in step with it.
  var page = document.querySelector("[data-your-list]");
  if (page) {
    var value = page.getAttribute("data-your-list");
    if (value || /[?&]items=/.test(window.location.search)) {
      write(value ? value.split(",") : []);
    } else if (read().length) {
      window.location.replace(listUrl(read()));
    }
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.querySelector(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = "The link is copied.";
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
