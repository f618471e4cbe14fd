// Live preview of the public text in every language while staff fill in the outage form.
// Progressive enhancement only: the form works the same without this script.
(function () {
  "use strict";
  var form = document.getElementById("outage-form");
  var target = document.getElementById("preview");
  if (!form || !target || !window.fetch) { return; }
  var hint = document.getElementById("preview-hint");
  var timer = null;

  function render(data) {
    target.textContent = "";
    if (data.texts) {
      Object.keys(data.texts).forEach(function (lang) {
        var article = document.createElement("article");
        article.className = "preview-text";
        article.lang = lang;
        var h = document.createElement("h3");
        h.textContent = lang + ": " + data.texts[lang].title;
        article.appendChild(h);
        data.texts[lang].body.split("\n").forEach(function (line) {
          var p = document.createElement("p");
          p.textContent = line;
          article.appendChild(p);
        });
        var sms = data.sms && data.sms.languages[lang];
        if (sms) {
          var box = document.createElement("p");
          box.className = "sms-preview";
          box.textContent = "SMS (" + sms.encoding + ", " + sms.segments + "): " + sms.text;
          article.appendChild(box);
        }
        target.appendChild(article);
      });
      if (data.sms) {
        var total = document.createElement("p");
        total.className = "sms-total";
        total.textContent = form.dataset.smsTotal
          .replace("{recipients}", data.sms.recipients)
          .replace("{segments}", data.sms.segments);
        target.appendChild(total);
      }
    } else if (data.errors) {
      // A warning before saving, naming each field by its label as the form shows it.
      var box = document.createElement("div");
      box.className = "preview-warning";
      var heading = document.createElement("p");
      heading.textContent = form.dataset.warning || "";
      box.appendChild(heading);
      var ul = document.createElement("ul");
      Object.keys(data.errors).forEach(function (field) {
        var li = document.createElement("li");
        li.textContent = labelOf(field) + ": " + data.errors[field].join(" ");
        ul.appendChild(li);
      });
      box.appendChild(ul);
      target.appendChild(box);
    }
  }

  // "areas.0.postcode" -> the input areas-0-postcode -> its label (or aria-label).
  function labelOf(field) {
    var id = field.replace(/\./g, "-").replace(/-value$/, "");
    var input = document.getElementById(id) || document.getElementById(id.replace(/^texts-/, "text-"));
    if (!input) { return field; }
    var label = document.querySelector('label[for="' + input.id + '"]');
    return (label ? label.textContent : input.getAttribute("aria-label") || field).trim();
  }

  function refresh() {
    var body = new FormData(form);
    body.delete("publish");
    fetch(form.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function () { /* keep the last preview */ });
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 400); }
  if (hint) { hint.hidden = true; }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // A new, empty form shows no errors before the first input; a saved notice shows its text.
  if (form.querySelector('input[name="version"]')) { refresh(); }
})();
