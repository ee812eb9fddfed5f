// Starts Swagger UI on /docs (a file, not an inline script: the page's CSP allows no inline code).
/* global SwaggerUIBundle */
// No validator badge: it would send the schema to validator.swagger.io.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null });
