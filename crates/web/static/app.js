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

// --- 客商 (companies): type-ahead for company fields --------------------------------------
// <input data-company-search list="x"> + <datalist id="x">: suggestions "id · name" from
// /api/v1/companies/search; the server accepts an id, "id · name" or an exact name, so the
// field works the same without this script.
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("input[data-company-search]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("list") || "");
      if (!list || !window.fetch) return;
      var timer = null;
      var last = "";
      input.addEventListener("input", function () {
        var q = input.value.trim();
        // an id typed, or a suggestion picked: nothing to look up
        if (q === last || /^\d+(\s*·.*)?$/.test(q)) return;
        last = q;
        window.clearTimeout(timer);
        if (!q) return;
        timer = window.setTimeout(function () {
          window.fetch("/api/v1/companies/search?limit=10&q=" + encodeURIComponent(q), {
            credentials: "same-origin",
            headers: { Accept: "application/json" }
          })
            .then(function (r) { return r.ok ? r.json() : { items: [] }; })
            .then(function (page) {
              while (list.firstChild) list.removeChild(list.firstChild);
              (page.items || []).forEach(function (c) {
                var o = document.createElement("option");
                o.value = c.id + " · " + c.display_name;
                if (c.country_name) o.label = c.country_name;
                list.appendChild(o);
              });
            })
            .catch(function () { /* suggestions are a convenience only */ });
        }, 200);
      });
    });
  }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();

// --- 拜访 (visits): one more participant row ----------------------------------------------
// The visit form has three rows without script; this shows a button that copies the last
// row empty, so a delegation of any size fits.
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("[data-add-participant]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var rows = btn.parentNode.querySelectorAll("[data-participant-row]");
        if (!rows.length) return;
        var copy = rows[rows.length - 1].cloneNode(true);
        copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
        copy.querySelectorAll("select").forEach(function (s) { s.value = "other"; });
        btn.parentNode.insertBefore(copy, btn);
        var first = copy.querySelector("input");
        if (first) first.focus();
      });
    });
  }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();

// --- trips (出访): the report's print button ----------------------------------------------
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();

// The dashboard's meeting-room mode reloads itself every few minutes.
(function () {
  "use strict";
  function start() {
    var el = document.querySelector("[data-refresh]");
    if (!el) return;
    var seconds = parseInt(el.getAttribute("data-refresh"), 10) || 300;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();

// --- project board (项目看板): drag a card to a column, or use its small form; both ask
// the JSON twin of POST /projects/{id}/stage and show a refusal next to the card. The card
// stays where it is until the server has moved the project (the page then reloads).
(function () {
  "use strict";
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  function say(card, text) {
    var err = card.querySelector(".board-error");
    if (!err) return;
    err.textContent = text;
    err.hidden = !text;
    if (text && err.scrollIntoView) err.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  // a refused move leaves the card usable: the form's button (disabled by "forms submit
  // once" above) works again for the next try
  function settle(card) {
    card.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
  }
  function move(card, stage) {
    var id = card.getAttribute("data-project");
    say(card, "");
    return fetch("/api/v1/projects/" + id + "/stage", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ stage: stage })
    }).then(function (res) {
      if (res.ok) { window.location.reload(); return; }
      // the API's error shape carries the message (for a closed gate: exactly what is
      // missing); an answer that is not JSON still says something
      return res.json().then(function (j) {
        return (j && j.error && j.error.message) || "";
      }, function () { return ""; }).then(function (msg) {
        say(card, msg || ("HTTP " + res.status));
        settle(card);
      });
    }).catch(function (e) {
      say(card, String(e));
      settle(card);
    });
  }
  function start() {
    var board = document.querySelector(".board");
    if (!board || !window.fetch) return;
    board.querySelectorAll("form[data-board-move]").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var card = f.closest(".board-card");
        move(card, f.querySelector("select").value);
      });
    });
    var dragged = null;
    function clear() {
      board.querySelectorAll(".board-col.drop").forEach(function (c) { c.classList.remove("drop"); });
    }
    board.querySelectorAll('.board-card[draggable="true"]').forEach(function (c) {
      c.addEventListener("dragstart", function (ev) {
        dragged = c;
        ev.dataTransfer.effectAllowed = "move";
        ev.dataTransfer.setData("text/plain", c.getAttribute("data-project"));
      });
      // dropped outside a column, or cancelled: nothing is being dragged any more
      c.addEventListener("dragend", function () { dragged = null; clear(); });
    });
    board.querySelectorAll(".board-col").forEach(function (col) {
      // a column is a drop target only for a card of this board (not for a dragged link or
      // text); cancelling dragenter and dragover is what makes it one
      function accept(ev) {
        if (!dragged) return;
        ev.preventDefault();
        ev.dataTransfer.dropEffect = "move";
        col.classList.add("drop");
      }
      col.addEventListener("dragenter", accept);
      col.addEventListener("dragover", accept);
      col.addEventListener("dragleave", function (ev) {
        if (!col.contains(ev.relatedTarget)) col.classList.remove("drop");
      });
      col.addEventListener("drop", function (ev) {
        ev.preventDefault();
        clear();
        var card = dragged;
        dragged = null;
        if (card && card.closest(".board-col") !== col) move(card, col.getAttribute("data-stage"));
      });
    });
  }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();
