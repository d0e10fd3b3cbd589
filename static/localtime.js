// Times in the reader's own zone, in the page's language (<html lang>). The page is
// complete without this: it states every time in the page's zone and says which. Style
// names match the server's (app/lib/templating.py).
(function () {
  var root = document.documentElement;
  var lang = root.lang || "en";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var page = root.getAttribute("data-zone");
  try { page = new Intl.DateTimeFormat(lang, { timeZone: page }).resolvedOptions().timeZone; } catch (e) {}
  if (!zone || zone === page) return;
  var clock = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" };
  var styles = {
    datetime: Object.assign({ month: "short", day: "numeric" }, clock),
    time: clock,
    full: Object.assign({ weekday: "short", month: "short", day: "numeric", year: "numeric" }, clock),
  };
  var label = "";
  document.querySelectorAll("time[data-fmt]").forEach(function (el) {
    var style = styles[el.getAttribute("data-fmt")];
    if (!style) return;
    var format = new Intl.DateTimeFormat(lang, Object.assign({ timeZone: zone }, style));
    var when = new Date(el.getAttribute("datetime"));
    el.title = el.textContent;  // the page's own zone stays one hover away
    el.textContent = format.format(when);
    label = format.formatToParts(when).filter(function (p) { return p.type === "timeZoneName"; })[0].value;
  });
  var note = document.getElementById("zone-note");
  // The sentence comes translated from the page, with {zone} where the zone's name goes.
  var words = note && note.getAttribute("data-yours");
  if (note && label && words) note.textContent = words.replace("{zone}", label);
})();
