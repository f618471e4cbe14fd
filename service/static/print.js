// A button with data-print prints the page (the Content-Security-Policy allows no inline handler).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
