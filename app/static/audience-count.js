// The builder's audience form: recount as filters change, without saving (the "Count" button does the same).
// A file rather than an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  var form = document.getElementById("audience-form");
  var box = document.getElementById("audience-count");
  if (!form || !box || !window.fetch || !box.getAttribute("data-url")) { return; }
  var timer = null;
  function show(field, text) {
    var el = box.querySelector('[data-field="' + field + '"]');
    if (el) { el.textContent = text; }
  }
  function n(value) { return Number(value).toLocaleString("en-GB"); }
  function recount() {
    var data = new FormData(form);
    data.delete("refs_file");
    fetch(box.getAttribute("data-url"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (result) {
        if (result.error) { show("sample", result.error); return; }
        Object.keys(result.by_channel).forEach(function (ch) {
          var cell = box.querySelector('[data-channel="' + ch + '"]');
          if (cell) { cell.textContent = n(result.by_channel[ch]); }
        });
        show("total", n(result.total));
        show("landlines", n(result.landlines));
        show("skipped", Object.keys(result.skipped).map(function (k) {
          return k.replace("_", " ") + " " + n(result.skipped[k]);
        }).join(", "));
        show("sample", result.sample ? "Sample: " + result.sample + "." : "");
        box.setAttribute("data-counted", String(result.total));
      })
      .catch(function () {});
  }
  function later() { clearTimeout(timer); timer = setTimeout(recount, 300); }
  form.addEventListener("change", later);
  form.addEventListener("input", later);
})();
