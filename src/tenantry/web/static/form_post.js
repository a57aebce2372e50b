// Submits the form_post response form (OAuth 2.0 Form Post Response Mode §2) once the page has loaded.
// A static file, so the page's Content-Security-Policy needs no inline script; <noscript> keeps a button.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-auto-submit]");
  if (form) {
    form.submit();
  }
});
