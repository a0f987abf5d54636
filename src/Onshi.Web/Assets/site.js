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
  // The skip link moves focus to the main content without putting #main into the URL (a form's default action).
  var skip = document.querySelector('.skip-link');
  var main = document.getElementById('main');
  if (skip && main) {
    skip.addEventListener('click', function (e) { e.preventDefault(); main.focus(); main.scrollIntoView(); });
  }
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
  // Error summaries take focus so screen readers announce them; their links move focus to the control itself
  // (a fieldset's first control) and scroll its label into view, rather than only scrolling to it.
  var summary = document.querySelector('.error-summary');
  if (summary) {
    // The items in the order of the fields on the page (the server lists them in the order it checked them).
    var list = summary.querySelector('ul');
    var position = function (li) {
      var a = li.querySelector('a[href^="#"]');
      return a ? document.getElementById(a.getAttribute('href').slice(1)) : null;
    };
    if (list) {
      Array.prototype.slice.call(list.children).sort(function (x, y) {
        var px = position(x), py = position(y);
        if (!px || !py || px === py) { return px === py ? 0 : px ? 1 : -1; }
        return px.compareDocumentPosition(py) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
      }).forEach(function (li) { list.appendChild(li); });
    }
    summary.focus();
    // A URL fragment (a form posted from /Login#main) moves focus to its target once the page has loaded; the
    // summary keeps it.
    window.addEventListener('load', function () {
      if (document.activeElement === document.body || document.activeElement.id === 'main') { summary.focus(); }
    });
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

  // A page holding something shown only once (data-warn-unload, e.g. an issued certificate) asks before it is left,
  // until one of its forms marked data-marks-saved (「証明書ファイルを保存」) has been submitted.
  var unsaved = document.querySelector('[data-warn-unload]');
  if (unsaved) {
    var saved = false;
    document.querySelectorAll('form[data-marks-saved]').forEach(function (form) {
      form.addEventListener('submit', function () { saved = true; });
    });
    window.addEventListener('beforeunload', function (e) {
      if (saved) { return; }
      e.preventDefault();
      e.returnValue = '';
    });
  }
})();
