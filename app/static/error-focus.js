// Move keyboard and screen-reader focus to a form's error summary, so people hear what went wrong.
// A file rather than an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
