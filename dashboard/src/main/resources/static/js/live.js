// Coracle dashboard: live updates over server-sent events, without a framework.
// A page names what it shows in <body data-live="pods,events">; /live tells it when those kinds change, and the
// page re-fetches itself and swaps its [data-live-region] sections. Log views append lines from their own streams.
(function () {
  'use strict';

  function banner(reason) {
    var b = document.getElementById('api-banner');
    if (!b) return;
    if (reason) {
      var r = document.getElementById('api-banner-reason');
      if (r) r.textContent = reason;
      b.hidden = false;
    } else {
      b.hidden = true;
    }
  }

  // Every open stream holds one of the browser's six HTTP/1.1 connections to this host: close them when the page is
  // left (also when it goes into the back-forward cache), reopen them if it comes back.
  var streams = [];
  function track(es) { streams.push(es); return es; }
  window.addEventListener('pagehide', function () { streams.forEach(function (es) { es.close(); }); });
  window.addEventListener('pageshow', function (e) { if (e.persisted) location.reload(); });

  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { headers: { 'X-Live': '1' }, credentials: 'same-origin' })
      .then(function (r) {
        if (r.status === 401) { location.href = '/login'; return null; }
        return r.text();
      })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var focused = document.activeElement && document.activeElement.id;
        document.querySelectorAll('[data-live-region]').forEach(function (el) {
          var fresh = doc.getElementById(el.id);
          if (fresh) el.replaceWith(document.importNode(fresh, true));
        });
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        var freshBanner = doc.getElementById('api-banner');
        if (freshBanner) banner(freshBanner.hidden ? null : doc.getElementById('api-banner-reason').textContent);
      })
      .catch(function () { banner('the dashboard itself cannot be reached'); })
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function live(kinds) {
    var es = track(new EventSource('/live?kinds=' + encodeURIComponent(kinds)));
    var lost = false;
    es.addEventListener('change', refresh);
    es.addEventListener('health', function (e) {
      if (e.data === 'ok') { banner(null); refresh(); } else { banner(e.data); }
    });
    es.addEventListener('hello', function () { if (lost) { lost = false; banner(null); refresh(); } });
    es.onerror = function () { lost = true; };
    window.coracleLive = es;
  }

  function logView(formId, colouredByPod) {
    var form = document.getElementById(formId);
    if (!form) return;
    var out = document.getElementById('log');
    var problem = document.getElementById('log-problem');
    var es = null;
    function params() {
      var p = new URLSearchParams();
      form.querySelectorAll('input,select').forEach(function (i) {
        if (i.type === 'checkbox') p.set(i.name, i.checked ? 'true' : 'false');
        else if (i.value !== '') p.set(i.name, i.value);
      });
      return p;
    }
    function append(text, pod, colour) {
      var atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
      var line = document.createElement('span');
      line.className = 'line';
      if (pod) {
        var tag = document.createElement('span');
        tag.className = 'pod-tag c' + colour;
        tag.textContent = pod;
        line.appendChild(tag);
        line.appendChild(document.createTextNode(' '));
      }
      line.appendChild(document.createTextNode(text + '\n'));
      out.appendChild(line);
      while (out.childNodes.length > 5000) out.removeChild(out.firstChild);
      if (atBottom) out.scrollTop = out.scrollHeight;
    }
    function start(ev) {
      if (ev) ev.preventDefault();
      if (es) es.close();
      out.textContent = '';
      problem.hidden = true;
      var p = params();
      var download = document.getElementById('log-download');
      if (download) { var d = new URLSearchParams(p); d.delete('follow'); download.href = form.dataset.download + '?' + d; }
      es = track(new EventSource(form.dataset.stream + '?' + p));
      es.addEventListener('line', function (e) {
        if (colouredByPod) {
          var parts = e.data.split('\t');
          append(parts.slice(2).join('\t'), parts[1], parts[0]);
        } else {
          append(e.data);
        }
      });
      es.addEventListener('problem', function (e) { problem.textContent = e.data; problem.hidden = false; });
      es.addEventListener('end', function () { es.close(); });
      es.onerror = function () { if (es.readyState === EventSource.CLOSED) return; };
    }
    form.addEventListener('submit', start);
    start();
  }

  document.addEventListener('DOMContentLoaded', function () {
    var kinds = document.body.dataset.live;
    if (kinds) live(kinds);
    var refreshSeconds = parseInt(document.body.dataset.refresh || '0', 10);
    if (refreshSeconds > 0) setInterval(refresh, refreshSeconds * 1000);
    logView('log-form', false);
    logView('workload-log-form', true);
  });
})();
