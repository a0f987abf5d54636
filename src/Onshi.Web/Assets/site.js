// Onshi: small progressive enhancements; every page works without them.
(function () {
  'use strict';
  // A page answering a POST with something kept at its own address (資格情報照会's answer at ?r=照会番号) puts that
  // address in the address bar, so that a reload or a bookmark shows it again instead of posting twice.
  var kept = document.querySelector('[data-history-url]');
  if (kept && window.history && typeof window.history.replaceState === 'function') {
    window.history.replaceState(null, '', kept.getAttribute('data-history-url'));
  }

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
  // The idle-timeout warning (issue 14, item 9): shortly before the session's idle timeout, a modal alertdialog says so and
  // focuses 「ログインを延長する」, which renews the session (POST /Session/Extend) and closes it; once the session has surely
  // ended the page reloads, and the server answers with its login page. Escape does not dismiss it unanswered.
  var idle = document.getElementById('idle-warning');
  if (idle && typeof idle.showModal === 'function') {
    var endMs = +idle.getAttribute('data-idle-end-ms');
    var leadMs = +idle.getAttribute('data-idle-lead-ms');
    var leaveMs = +idle.getAttribute('data-idle-leave-ms');
    var remaining = idle.querySelector('[data-idle-remaining]');
    var idleText = idle.querySelector('[data-idle-text]');
    var ended = idle.querySelector('[data-idle-ended]');
    var extend = idle.querySelector('form');
    var extendButton = extend.querySelector('button');
    var started = 0, warnTimer = 0, leaveTimer = 0, tick = 0, returnFocus = null;
    var words = function (ms) {
      var s = Math.max(0, Math.ceil(ms / 1000)), m = Math.floor(s / 60);
      return m > 0 ? m + '分' + (s % 60 ? (s % 60) + '秒' : '') : s + '秒';
    };
    var update = function () {
      var left = started + endMs - Date.now();
      remaining.textContent = words(left);
      if (left <= 0) {
        idleText.hidden = true; ended.hidden = false; extendButton.disabled = true;
      }
    };
    var show = function () {
      returnFocus = document.activeElement;
      update();
      if (!idle.open) { idle.showModal(); }
      extendButton.focus();
      tick = window.setInterval(update, 1000);
    };
    var arm = function () {
      window.clearTimeout(warnTimer); window.clearTimeout(leaveTimer); window.clearInterval(tick);
      started = Date.now();
      idleText.hidden = false; ended.hidden = true; extendButton.disabled = false;
      warnTimer = window.setTimeout(show, Math.max(0, endMs - leadMs));
      leaveTimer = window.setTimeout(function () { window.location.assign(window.location.href.split('#')[0]); }, leaveMs);
    };
    idle.addEventListener('cancel', function (e) { e.preventDefault(); });
    extend.addEventListener('submit', function (e) {
      e.preventDefault();
      extendButton.disabled = true;
      window.fetch(extend.action, {
        method: 'POST', body: new FormData(extend), credentials: 'same-origin', redirect: 'manual',
        headers: { 'X-Onshi-Extend': '1' }
      }).then(function (r) {
        if (r.status !== 204) { window.location.assign(window.location.href.split('#')[0]); return; }
        idle.close();
        arm();
        if (returnFocus && typeof returnFocus.focus === 'function') { returnFocus.focus(); }
      }, function () { extendButton.disabled = false; });
    });
    arm();
  }
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
  // A region whose content the server is still changing (data-refresh="seconds", e.g. a running 加入者データ取込) is fetched
  // again and replaced in place — the focus and the rest of the page stay; its role=status line announces a change. It stops
  // when the server's copy no longer asks to be refreshed. Without JavaScript the region's own 「最新の状態に更新」 link does it.
  document.querySelectorAll('[data-refresh][id]').forEach(function (region) {
    var seconds = parseInt(region.getAttribute('data-refresh'), 10);
    if (!(seconds > 0) || !window.fetch || !window.DOMParser) { return; }
    var timer = window.setInterval(function () {
      window.fetch(window.location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
        .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
        .then(function (html) {
          if (html === null) { window.clearInterval(timer); return; }
          var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById(region.id);
          if (!fresh) { window.clearInterval(timer); return; }
          if (fresh.innerHTML !== region.innerHTML) { region.innerHTML = fresh.innerHTML; }
          // Razor writes a data- attribute even when its value is null (as data-refresh=""): empty means finished too.
          if (!(parseInt(fresh.getAttribute('data-refresh'), 10) > 0)) { region.removeAttribute('data-refresh'); window.clearInterval(timer); }
        })
        .catch(function () { window.clearInterval(timer); });
    }, seconds * 1000);
  });
  // A file input with data-max-bytes says at once when the chosen file is over the limit (the server says it too).
  document.querySelectorAll('input[type=file][data-max-bytes]').forEach(function (input) {
    var max = parseInt(input.getAttribute('data-max-bytes'), 10);
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      input.setCustomValidity(file && file.size > max ? 'ファイルが大きすぎます（上限 ' + input.getAttribute('data-max-label') + '）。ファイルを分けて取り込んでください。' : '');
      input.reportValidity();
    });
    if (input.form) {
      input.form.addEventListener('submit', function (e) {
        if (!input.checkValidity()) { e.preventDefault(); input.reportValidity(); }
      });
    }
  });
})();
