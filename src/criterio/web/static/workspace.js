/* The agents' workspace: keyboard shortcuts, and the queue kept fresh by polling.
   Served from this server (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";

  var KEYS = {
    n: function () { var f = document.getElementById("next-form"); if (f) { f.requestSubmit(); } },
    l: function () { var b = document.querySelector(".link-form button"); if (b) { b.click(); } },
    i: function () { focus("intent-input"); },
    s: function () { focus("reply-text"); },
    r: function () { focus("resolve-code"); },
    e: function () { focus("escalate-reason"); }
  };

  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); if (el.select) { el.select(); } }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var tag = target && target.tagName;
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) { return; }
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) {
      return;
    }
    var action = KEYS[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  var table = document.getElementById("queue-table");
  if (!table || !table.dataset.poll) { return; }
  var body = table.querySelector("tbody");
  var count = document.getElementById("queue-count");
  var INTERVAL = 15000;

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render(data) {
    var rows = document.createDocumentFragment();
    data.rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.case = String(r.id);
      var link = document.createElement("a");
      link.href = r.url;
      link.textContent = "#" + r.id;
      cell(tr, "").appendChild(link);
      var badge = document.createElement("span");
      badge.className = "priority priority-" + r.priority;
      badge.textContent = r.priority_label;
      cell(tr, "").appendChild(badge);
      cell(tr, r.intent);
      cell(tr, r.language);
      cell(tr, r.sentiment);
      cell(tr, r.queue);
      cell(tr, r.status + (r.assignee ? " · " + r.assignee : ""));
      cell(tr, r.waiting, "nowrap");
      cell(tr, r.sla, "nowrap sla" + (r.overdue ? " overdue" : ""));
      rows.appendChild(tr);
    });
    if (!data.rows.length) {
      var empty = document.createElement("tr");
      empty.className = "empty";
      var td = cell(empty, table.dataset.empty);
      td.colSpan = 9;
      rows.appendChild(empty);
    }
    body.replaceChildren(rows);
    if (count) { count.textContent = data.message; }
  }

  function poll() {
    fetch(table.dataset.poll, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  window.setInterval(poll, INTERVAL);
  // Coming back to the tab shows the queue as it is now, without waiting for the timer.
  window.addEventListener("focus", poll);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { poll(); }
  });
}());
