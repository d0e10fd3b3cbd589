/*
 * Tidings status banner. Put this on your own site:
 *
 *   <script src="https://status.example.com/embed.js" async></script>
 *
 * While an incident or a maintenance is in progress on that status page, a small banner
 * appears at the top of your page with a link to it. Visitors can dismiss it; it comes back
 * when something new is posted. No dependencies, no cookies; it reads the public
 * /api/v2/summary.json of the page it was loaded from. Optional attributes on the tag:
 *   data-position="bottom"   show the banner at the bottom instead of the top
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var origin = new URL(script.src, window.location.href).origin;
  var position = script.getAttribute("data-position") === "bottom" ? "bottom" : "top";
  var storageKey = "tidings-banner-dismissed:" + origin;

  var COLOURS = {
    critical: "#b3261e",
    major: "#b3470b",
    minor: "#8a5a00",
    none: "#8a5a00",
    maintenance: "#1d5fbf"
  };

  function active(summary) {
    var incidents = (summary.incidents || []).filter(function (i) {
      return i.status !== "resolved" && i.status !== "postmortem";
    });
    var maintenances = (summary.scheduled_maintenances || []).filter(function (m) {
      return m.status === "in_progress" || m.status === "verifying";
    });
    return incidents.concat(maintenances);
  }

  function dismissed(stamp) {
    try {
      return window.localStorage.getItem(storageKey) === stamp;
    } catch (e) {
      return false;
    }
  }

  function remember(stamp) {
    try {
      window.localStorage.setItem(storageKey, stamp);
    } catch (e) {
      /* private mode: dismissal lasts for this page view only */
    }
  }

  function show(items, summary) {
    var first = items[0];
    var isMaintenance = "scheduled_for" in first && first.scheduled_for !== null;
    var colour = isMaintenance ? COLOURS.maintenance : COLOURS[first.impact] || COLOURS.minor;
    var stamp = items.map(function (i) { return i.id + "@" + i.updated_at; }).join(",");
    if (dismissed(stamp)) return;

    var banner = document.createElement("div");
    banner.setAttribute("data-tidings-banner", "");
    banner.setAttribute("role", "status");
    banner.setAttribute("aria-live", "polite");
    banner.style.cssText =
      "position:fixed;left:0;right:0;" + position + ":0;z-index:2147483647;display:flex;" +
      "align-items:center;gap:12px;padding:10px 16px;background:" + colour + ";color:#fff;" +
      "font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;" +
      "box-shadow:0 2px 6px rgba(0,0,0,.25)";

    // Text from the status page is set with textContent only: it never becomes markup.
    var text = document.createElement("span");
    text.style.flex = "1";
    var title = document.createElement("strong");
    title.textContent = (isMaintenance ? "Maintenance: " : "") + first.name;
    text.appendChild(title);
    var latest = (first.incident_updates || [])[0];
    if (latest && latest.body) {
      var body = latest.body.replace(/\s+/g, " ").trim();
      if (body.length > 160) body = body.slice(0, 159) + "\u2026";
      text.appendChild(document.createTextNode(" \u2014 " + body));
    }
    if (items.length > 1) {
      text.appendChild(document.createTextNode(" (+" + (items.length - 1) + " more)"));
    }

    var link = document.createElement("a");
    link.href = first.shortlink || (summary.page && summary.page.url) || origin;
    link.textContent = "View status";
    link.target = "_blank";
    link.rel = "noopener";
    link.style.cssText = "color:#fff;text-decoration:underline;white-space:nowrap";

    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss status banner");
    close.textContent = "\u00d7";
    close.style.cssText =
      "background:transparent;border:0;color:#fff;font-size:20px;line-height:1;" +
      "cursor:pointer;padding:0 4px";
    close.addEventListener("click", function () {
      remember(stamp);
      banner.parentNode && banner.parentNode.removeChild(banner);
    });

    banner.appendChild(text);
    banner.appendChild(link);
    banner.appendChild(close);
    document.body.appendChild(banner);
  }

  function start() {
    window
      .fetch(origin + "/api/v2/summary.json", { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (summary) {
        if (!summary) return;
        var items = active(summary);
        if (items.length) show(items, summary);
      })
      .catch(function () { /* the status page is unreachable: show nothing */ });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
