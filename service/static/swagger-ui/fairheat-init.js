// Starts Swagger UI on /api/docs with the settings the page carries as JSON data
// (templates/swagger_ui.html): no inline script, as the Content-Security-Policy requires.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-ui-config").textContent);
  window.addEventListener("load", function () {
    window.ui = window.SwaggerUIBundle(config);
  });
})();
