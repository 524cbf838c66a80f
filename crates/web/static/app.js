// zhaoshang: our own small script. No third-party code, nothing fetched from elsewhere.
(function () {
  "use strict";
  // Browser tests read these: any script error or CSP violation on a page is a failure.
  window.__zsErrors = window.__zsErrors || [];
  window.addEventListener("error", function (e) {
    window.__zsErrors.push(String(e.message || e.type) + " @ " + (e.filename || "") + ":" + (e.lineno || ""));
  });
  window.addEventListener("unhandledrejection", function (e) {
    window.__zsErrors.push("unhandled rejection: " + String(e.reason));
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__zsErrors.push("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
  });

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  window.zs = { csrf: csrf };

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // phone navigation
    var toggle = document.querySelector("[data-toggle-nav]");
    var nav = document.getElementById("mainnav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // the language switch returns to the page it was used on
    document.querySelectorAll("[data-current-url]").forEach(function (el) {
      el.value = window.location.pathname + window.location.search;
    });
    // confirmations for destructive buttons
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (e) {
        if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
    // forms submit once
    document.querySelectorAll("form").forEach(function (f) {
      f.addEventListener("submit", function () {
        f.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
          window.setTimeout(function () { b.disabled = true; }, 0);
        });
      });
    });
    window.__zsLoaded = true;
  });
})();
