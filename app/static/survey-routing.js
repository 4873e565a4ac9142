// Survey routing on the page: a question asked only after a given earlier answer is hidden until
// that answer is chosen. The server applies the same rule, so without scripts every question shows
// with words saying when to answer it. A file, not an inline script: the CSP allows 'self' only.
(function () {
  // A block may also be routed past by an answer (data-not-if-*): the TSM tenure question.
  var blocks = document.querySelectorAll("[data-ask-if-field], [data-not-if-field]");
  if (!blocks.length) { return; }
  var form = blocks[0].closest("form");

  function currentValue(name) {
    var block = document.getElementById(name + "-block");
    if (block && block.hidden) { return null; }
    var fields = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "radio" || f.type === "checkbox") {
        if (f.checked) { return f.value; }
      } else if (f.value.trim() !== "") {
        return f.value.trim();
      }
    }
    return null;
  }

  function apply() {
    // In page order, so a question routed on a hidden question is hidden too.
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var show = true;
      if (block.hasAttribute("data-ask-if-field")) {
        var wanted = JSON.parse(block.getAttribute("data-ask-if-values"));
        var value = currentValue(block.getAttribute("data-ask-if-field"));
        show = value !== null && wanted.indexOf(value) !== -1;
      }
      if (show && block.hasAttribute("data-not-if-field")) {
        var unwanted = JSON.parse(block.getAttribute("data-not-if-values"));
        var answer = currentValue(block.getAttribute("data-not-if-field"));
        show = answer === null || unwanted.indexOf(answer) === -1;
      }
      block.hidden = !show;
      var inputs = block.querySelectorAll("input, textarea, select");
      for (var j = 0; j < inputs.length; j++) { inputs[j].disabled = !show; }
    }
  }

  form.addEventListener("change", apply);
  form.addEventListener("input", apply);
  apply();
})();
