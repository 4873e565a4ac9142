// An import's page: show its progress every 2 seconds, and reload to show the result when it ends.
// A file rather than an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  var section = document.getElementById("import-progress");
  if (!section || !window.fetch) { return; }
  var bar = document.getElementById("import-bar");
  var state = document.getElementById("import-state");
  function n(value) { return Number(value).toLocaleString("en-GB"); }
  function show(data) {
    if (data.finished) { window.location.reload(); return; }
    if (data.rows_total) { bar.max = data.rows_total; }
    bar.value = data.rows_done;
    if (data.status === "queued") {
      state.textContent = "Waiting to start (the scheduler picks up imports every few seconds).";
    } else if (data.stage === "saving") {
      state.textContent = "All " + n(data.rows_total || data.rows_done) + " rows checked; saving.";
    } else {
      state.textContent = "Checked " + n(data.rows_done) + (data.rows_total ? " of " + n(data.rows_total) : "") + " rows.";
    }
  }
  function refresh() {
    fetch(section.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () {});
  }
  setInterval(refresh, 2000);
})();
