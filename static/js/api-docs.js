// The browsable API description (/api/docs): Swagger UI on the served /api/openapi.json.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: false });
})();
