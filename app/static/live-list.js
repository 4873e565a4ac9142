// Refresh a list in place from its own fragment address (data-live-url) every data-live-seconds.
// A file rather than an inline script: the Content-Security-Policy allows scripts from 'self' only.
// Without JavaScript the page's "Refresh" link does the same by reloading.
(function () {
  var regions = document.querySelectorAll("[data-live-url]");
  if (!regions.length || !window.fetch) { return; }
  // Never replace a list while someone is typing a reply in it or has the focus inside it.
  function busy(region) {
    if (region.contains(document.activeElement)) { return true; }
    var fields = region.querySelectorAll("textarea, input:not([type=hidden])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value) { return true; }
    }
    return false;
  }
  function refresh(region) {
    if (document.hidden || busy(region)) { return; }
    fetch(region.getAttribute("data-live-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || busy(region)) { return; }
        // Keep open whatever the reader opened (details sections), by position.
        var open = [];
        Array.prototype.forEach.call(region.querySelectorAll("details"), function (d, i) { if (d.open) { open.push(i); } });
        region.innerHTML = html;
        var fresh = region.querySelectorAll("details");
        open.forEach(function (i) { if (fresh[i]) { fresh[i].open = true; } });
        region.setAttribute("data-live-refreshed", String(Date.now()));
        if (window.involveScrollRegions) { window.involveScrollRegions(); }
      })
      .catch(function () {});
  }
  Array.prototype.forEach.call(regions, function (region) {
    var seconds = parseFloat(region.getAttribute("data-live-seconds")) || 10;
    setInterval(function () { refresh(region); }, seconds * 1000);
  });
})();
