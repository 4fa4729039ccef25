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

  // Scheduling forms take the browser's local time: tell the server its UTC offset.
  var offset = new Date().getTimezoneOffset();
  document.querySelectorAll(".js-tz-offset").forEach(function (el) {
    el.value = String(offset);
  });
  document.querySelectorAll(".js-tz-label").forEach(function (el) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    el.textContent = "(your time" + (zone ? ", " + zone : "") + ")";
  });

  // Relative times stay relative while a page is open.
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    el.title = new Date(el.getAttribute("datetime")).toLocaleString();
  });
})();
