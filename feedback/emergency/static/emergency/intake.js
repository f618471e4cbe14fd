/* The emergency intake form's hints while typing (progressive enhancement: the form works
   without this file). Earlier calls from the phone number; published interruptions covering the
   address, each with a "Link this call" button that fills the hidden outage_id; calls from the
   same street in the last hours. No inline script: loaded from a static file (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("intake");
  if (!form || !window.fetch) { return; }
  var outageInput = document.getElementById("outage_id");

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function value(id) { var el = document.getElementById(id); return el ? el.value.trim() : ""; }

  function clear(box) { while (box.firstChild) { box.removeChild(box.firstChild); } }

  function callList(box, calls) {
    if (!calls.length) { return; }
    var list = document.createElement("ul");
    calls.forEach(function (call) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = call.url;
      link.textContent = call.text + (call.address ? " (" + call.address + ")" : "");
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function get(url, params, done) {
    var query = Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
    fetch(url + "?" + query, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { done(data); } })
      .catch(function () { /* no hints: the form still works */ });
  }

  var phoneBox = document.getElementById("phone-hints");
  var lookupPhone = debounce(function () {
    var phone = value("caller_phone");
    if (phone.replace(/\D/g, "").length < 6) { clear(phoneBox); return; }
    get(form.dataset.phoneUrl, { phone: phone }, function (data) {
      clear(phoneBox);
      callList(phoneBox, data.calls);
    });
  }, 300);

  var addressBox = document.getElementById("address-hints");
  var lookupAddress = debounce(function () {
    var postcode = value("postcode");
    if (postcode.replace(/\D/g, "").length < 5) { clear(addressBox); return; }
    get(form.dataset.addressUrl, { postcode: postcode, street: value("street"), number: value("house_number") }, function (data) {
      clear(addressBox);
      data.outages.forEach(function (outage) {
        var p = document.createElement("p");
        p.className = "outage-hint";
        var text = document.createElement("a");
        text.href = outage.url;
        text.textContent = outage.text;
        p.appendChild(text);
        p.appendChild(document.createTextNode(" "));
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = outageInput.value === String(outage.id) ? outage.linked : outage.link;
        button.setAttribute("aria-pressed", outageInput.value === String(outage.id) ? "true" : "false");
        button.addEventListener("click", function () {
          var linked = outageInput.value === String(outage.id);
          outageInput.value = linked ? "" : String(outage.id);
          button.textContent = linked ? outage.link : outage.linked;
          button.setAttribute("aria-pressed", linked ? "false" : "true");
        });
        p.appendChild(button);
        addressBox.appendChild(p);
      });
      callList(addressBox, data.calls);
    });
  }, 300);

  ["caller_phone"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) { el.addEventListener("input", lookupPhone); }
  });
  ["postcode", "street", "house_number"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) { el.addEventListener("input", lookupAddress); }
  });
})();
