// A table box that scrolls sideways (narrow screens, zoom) becomes a named, focusable region so
// keyboard users can scroll it too; boxes that fit stay out of the tab order.
// A file rather than an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  function name(box, used) {
    var caption = box.querySelector("caption");
    var heading = null;
    for (var el = box; el && !heading; el = el.parentElement) {
      for (var prev = el.previousElementSibling; prev && !heading; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) { heading = prev; }
      }
    }
    var base = (caption || heading || { textContent: "Table" }).textContent.replace(/\s+/g, " ").trim();
    var label = base + " (scrolls sideways)";
    for (var n = 2; used[label]; n++) { label = base + " (" + n + ", scrolls sideways)"; }
    used[label] = true;
    return label;
  }
  function mark() {
    var used = {};
    var boxes = document.querySelectorAll(".overflow-auto");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.hasAttribute("role") && !box.hasAttribute("data-scroll-region")) { continue; }  // named in the page
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("data-scroll-region")) {
          box.setAttribute("data-scroll-region", "");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name(box, used));
        } else { used[box.getAttribute("aria-label")] = true; }
      } else if (box.hasAttribute("data-scroll-region")) {
        box.removeAttribute("data-scroll-region");
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }
  mark();
  window.involveScrollRegions = mark;  // live lists call it after they replace their contents
  var timer = null;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(mark, 100); });
})();
