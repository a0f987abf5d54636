// Onshi: small progressive enhancements; every page works without them.
(function () {
  'use strict';
  // Links with data-dialog open the named <dialog> instead of navigating to the confirmation page.
  document.querySelectorAll('[data-dialog]').forEach(function (opener) {
    var dialog = document.getElementById(opener.getAttribute('data-dialog'));
    if (!dialog || typeof dialog.showModal !== 'function') { return; }
    opener.addEventListener('click', function (e) {
      e.preventDefault();
      dialog.showModal();
      var first = dialog.querySelector('[autofocus], button, a, input');
      if (first) { first.focus(); }
    });
    dialog.addEventListener('close', function () { opener.focus(); });
    dialog.querySelectorAll('[data-dialog-close]').forEach(function (btn) {
      btn.addEventListener('click', function (e) { e.preventDefault(); dialog.close(); });
    });
  });
  // パスワード表示 / パスワード非表示.
  document.querySelectorAll('[data-reveal]').forEach(function (button) {
    var target = document.getElementById(button.getAttribute('data-reveal'));
    if (!target) { return; }
    var masked = target.textContent;
    var secret = target.getAttribute('data-secret');
    button.hidden = false;
    button.addEventListener('click', function (e) {
      e.preventDefault(); // without JavaScript the button submits its form and the server shows the password
      var showing = button.getAttribute('aria-pressed') === 'true';
      target.textContent = showing ? masked : secret;
      button.setAttribute('aria-pressed', showing ? 'false' : 'true');
      button.textContent = showing ? 'パスワード表示' : 'パスワード非表示';
    });
  });
  // Error summaries take focus so screen readers announce them.
  var summary = document.querySelector('.error-summary');
  if (summary) { summary.focus(); }
})();
