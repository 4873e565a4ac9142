// The TSM results page: refresh responses and achieved margins every 30 seconds as they arrive.
// A file rather than an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  var table = document.getElementById("tsm-margins");
  if (!table || !window.fetch) { return; }
  function refresh() {
    fetch(table.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        Object.keys(data).forEach(function (name) {
          var row = table.querySelector('[data-population="' + name + '"]');
          if (!row) { return; }
          row.querySelector('[data-field="responses"]').textContent = data[name].responses.toLocaleString("en-GB");
          row.querySelector('[data-field="achieved_margin"]').textContent = data[name].achieved_margin;
        });
      })
      .catch(function () {});
  }
  setInterval(refresh, 30000);
})();
