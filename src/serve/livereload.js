// Injected by `gazetteer serve` only (never in built pages): reloads the
// page after a rebuild and shows build errors over the page.
// It runs under the page's Content-Security-Policy: it is a file of the
// server (script-src 'self'), styles the overlay through the CSSOM (which
// style-src does not block, unlike a style attribute), and its WebSocket is
// allowed by the connect-src 'self' that serve writes into the policy.
(function () {
  "use strict";
  var overlay = null;
  function show(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "gazetteer-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,24,.93);color:#ffd7d0;" +
        "font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem;overflow:auto;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "Gazetteer: the last change does not build; the page shows the last good version.\n\n" + message;
  }
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function connect() {
    var ws = new WebSocket("ws://" + location.host + "/__gazetteer/livereload");
    ws.onmessage = function (event) {
      var msg = JSON.parse(event.data);
      if (msg.type === "reload") { location.reload(); }
      else if (msg.type === "error") { show(msg.message); }
      else if (msg.type === "ok") { hide(); }
    };
    ws.onclose = function () { setTimeout(connect, 1000); };
  }
  connect();
})();
