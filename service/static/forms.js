// Small helpers for every form; each is progressive enhancement (the server checks everything).
(function () {
  "use strict";
  // After a failed submit the error summary takes focus, so a screen reader reads it first.
  var summary = document.querySelector(".error-summary");
  if (summary && document.activeElement !== summary) { summary.focus(); }

  // A visible character counter for text areas with a limit (data-max-chars); typing or pasting
  // past it is never cut: the counter turns red and the server explains the limit on sending.
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-max-chars]"), function (area) {
    var limit = Number(area.dataset.maxChars);
    var counter = document.getElementById(area.id + "-counter");
    if (!limit || !counter) { return; }
    var template = counter.dataset.template || "{count} / {max}";
    function update() {
      var count = area.value.length;
      counter.textContent = template.replace("{count}", count).replace("{max}", limit);
      counter.classList.toggle("counter--over", count > limit);
    }
    counter.hidden = false;
    area.addEventListener("input", update);
    update();
  });

  // Parts of a form shown only for one choice of a select (data-show-when="kind"
  // data-show-value="planned"); without the script they are simply always shown.
  Array.prototype.forEach.call(document.querySelectorAll("[data-show-when]"), function (el) {
    var source = document.getElementById(el.dataset.showWhen);
    if (!source) { return; }
    function sync() { el.hidden = source.value !== el.dataset.showValue; }
    source.addEventListener("change", sync);
    sync();
  });
})();
