// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The community's accent colour (set by its admins). Inline styles are forbidden by our
  // Content-Security-Policy, so it is applied here; buttons only take it when white text
  // stays readable on it, links only when it is dark enough on a light background.
  function luminance(hex) {
    var n = parseInt(hex.slice(1), 16);
    var rgb = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(function (c) {
      c = c / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }
  var accent = document.body.getAttribute("data-accent");
  if (accent && /^#[0-9a-fA-F]{6}$/.test(accent)) {
    var contrastWithWhite = 1.05 / (luminance(accent) + 0.05);
    document.documentElement.style.setProperty("--accent", accent);
    if (contrastWithWhite >= 4.5) {
      document.documentElement.style.setProperty("--button-bg", accent);
      document.documentElement.style.setProperty("--link", accent);
    } else {
      document.documentElement.style.setProperty("--button-bg", "#3730a3");
      document.documentElement.style.setProperty("--link", "#3730a3");
    }
  }

  // Relative times stay relative while a page is open.
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    el.title = new Date(el.getAttribute("datetime")).toLocaleString();
  });

  // @mention suggestions in post editors: type @ and a few letters, pick with the arrow
  // keys and Enter (or click). Without JavaScript, typing @handle works the same.
  document.querySelectorAll("textarea[data-mentions]").forEach(function (area, index) {
    var list = document.createElement("ul");
    list.id = "mention-list-" + index;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Members to mention");
    list.hidden = true;
    area.insertAdjacentElement("afterend", list);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", list.id);
    var items = [];
    var active = -1;
    var pending = 0;

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }
    function prefixAtCaret() {
      var before = area.value.slice(0, area.selectionStart);
      var match = /(^|[^\w@])@([A-Za-z0-9_]{1,30})$/.exec(before);
      return match ? match[2] : null;
    }
    function choose(i) {
      var handle = items[i] && items[i].handle;
      if (!handle) return;
      var caret = area.selectionStart;
      var before = area.value.slice(0, caret).replace(/@([A-Za-z0-9_]{1,30})$/, "@" + handle + " ");
      area.value = before + area.value.slice(caret);
      area.selectionStart = area.selectionEnd = before.length;
      close();
      area.focus();
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) {
        li.setAttribute("aria-selected", String(j === i));
      });
      if (i >= 0) area.setAttribute("aria-activedescendant", list.id + "-" + i);
    }
    area.addEventListener("input", function () {
      var prefix = prefixAtCaret();
      if (!prefix) return close();
      var ticket = ++pending;
      fetch(area.getAttribute("data-mentions") + encodeURIComponent(prefix), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (page) {
          if (ticket !== pending) return;
          list.textContent = "";
          items = page.items || [];
          if (!items.length) return close();
          items.forEach(function (m, i) {
            var li = document.createElement("li");
            li.id = list.id + "-" + i;
            li.setAttribute("role", "option");
            li.textContent = m.display_name + " @" + m.handle;
            li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
            list.appendChild(li);
          });
          list.hidden = false;
          highlight(0);
        })
        .catch(close);
    });
    area.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
  });

  // An event's live page (Q&A board and polls) follows `event:<id>` on the realtime stream
  // and reloads its lists when someone asks, votes or a host acts. While the person is
  // typing in one of its forms, the refresh waits until they leave the field.
  var live = document.querySelector("[data-live-topic]");
  if (live && "WebSocket" in window) {
    var pending = false;
    var typing = function () {
      return live.contains(document.activeElement) && /^(TEXTAREA|INPUT|SELECT)$/.test(document.activeElement.tagName);
    };
    var refresh = function () {
      if (typing()) {
        pending = true;
        return;
      }
      pending = false;
      fetch(location.pathname, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          // They may have started typing while the page was fetched: keep what they typed.
          if (typing()) {
            pending = true;
            return;
          }
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-topic]");
          if (fresh) live.innerHTML = fresh.innerHTML;
        });
    };
    live.addEventListener("focusout", function () { if (pending) setTimeout(refresh, 0); });
    var connect = function (delay) {
      var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/stream");
      ws.onopen = function () {
        delay = 1000;
        ws.send(JSON.stringify({ type: "subscribe", topic: live.getAttribute("data-live-topic") }));
      };
      ws.onmessage = function (m) {
        var msg = JSON.parse(m.data);
        if (msg.type === "event" || msg.type === "resync") refresh();
      };
      ws.onclose = function () { setTimeout(function () { connect(Math.min(delay * 2, 30000)); }, delay); };
    };
    connect(1000);
  }
})();
