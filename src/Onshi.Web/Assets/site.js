// Onshi: small progressive enhancements; every page works without them.
(function () {
  'use strict';
  // Links with data-dialog open the named <dialog> instead of navigating to the confirmation page.
  document.querySelectorAll('[data-dialog]').forEach(function (opener) {
    var dialog = document.getElementById(opener.getAttribute('data-dialog'));
    if (!dialog || typeof dialog.showModal !== 'function') { return; }
    opener.setAttribute('aria-haspopup', 'dialog');
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
    button.addEventListener('click', function () {
      var showing = button.getAttribute('aria-pressed') === 'true';
      target.textContent = showing ? masked : secret;
      button.setAttribute('aria-pressed', showing ? 'false' : 'true');
      button.textContent = showing ? 'パスワード表示' : 'パスワード非表示';
    });
  });
  // Error summaries take focus so screen readers announce them; their links move focus to the control itself
  // (a fieldset's first control) and scroll its label into view, rather than only scrolling to it.
  var summary = document.querySelector('.error-summary');
  if (summary) {
    summary.focus();
    summary.querySelectorAll('a[href^="#"]').forEach(function (link) {
      link.addEventListener('click', function (e) {
        var target = document.getElementById(link.getAttribute('href').slice(1));
        if (!target) { return; }
        var control = target.matches('input, select, textarea, button') ? target : target.querySelector('input, select, textarea');
        if (!control) { return; }
        e.preventDefault();
        var label = document.querySelector('label[for="' + control.id + '"]') || target.querySelector('legend');
        (label || control).scrollIntoView();
        control.focus({ preventScroll: true });
      });
    });
  }
})();
