// "Exit this page", after GOV.UK's pattern: the button, or Shift pressed three times in a
// row, leaves at once for a neutral site (settings.EXIT_PAGE_URL) and puts it in place of this
// page in the browser's history, so that Back does not come back here. Without JavaScript the
// button is a plain link to the same address.
(function () {
  "use strict";
  var button = document.querySelector("[data-exit-page]");
  if (!button) return;

  var PRESSES = 3;
  var WAIT = 5000; // milliseconds allowed between two presses of Shift
  var presses = 0;
  var timer = null;
  var lastKeyWasShifted = false;
  var title = document.title;

  // For screen readers, what each press of Shift did; for the eye, three dots on the button.
  var status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  button.insertAdjacentElement("afterend", status);
  var dots = document.createElement("span");
  dots.className = "exit-page__presses";
  dots.setAttribute("aria-hidden", "true");
  button.appendChild(dots);

  function show(count, message) {
    presses = count;
    dots.textContent = count ? "●●●".slice(0, count) + "○○○".slice(count) : "";
    status.textContent = message;
  }

  function leave(event) {
    if (event) event.preventDefault();
    show(0, "");
    // The list being gathered in this tab (list.js) is a trace of what was read: gone too.
    try {
      window.sessionStorage.clear();
    } catch (error) { /* storage refused: there is nothing in it */ }
    // Hide the page while the other one loads, and the site's name from the tab.
    document.documentElement.classList.add("exiting");
    document.title = "Loading";
    window.location.replace(button.href);
  }

  function expire() {
    clearTimeout(timer);
    show(0, presses ? "Exit this page expired." : "");
  }

  button.addEventListener("click", leave);

  // Shift counts only when pressed on its own: typing a capital letter also releases Shift,
  // but the key released just before it was pressed with Shift held.
  document.addEventListener(
    "keyup",
    function (event) {
      if (event.key === "Shift" && !lastKeyWasShifted) {
        clearTimeout(timer);
        if (presses + 1 >= PRESSES) {
          leave();
        } else {
          var left = PRESSES - presses - 1;
          show(presses + 1, "Shift, press " + left + " more time" + (left > 1 ? "s" : "") + " to exit.");
          timer = setTimeout(expire, WAIT);
        }
      } else if (presses) {
        expire();
      }
      lastKeyWasShifted = event.shiftKey;
    },
    true
  );

  // A page the browser restores from its cache must not come back hidden.
  window.addEventListener("pageshow", function () {
    document.documentElement.classList.remove("exiting");
    document.title = title;
    clearTimeout(timer);
    show(0, "");
  });
})();
