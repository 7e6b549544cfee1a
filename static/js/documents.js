// The documents page: while a document is being prepared, the list is fetched again every
// few seconds, so the progress moves and the download appears without a reload (the page
// works without this file: reloading it shows the same).
(function () {
  "use strict";

  var region = document.getElementById("documents");
  var news = document.getElementById("documents-news");
  var EVERY = 3000;

  function statuses(root) {
    var found = {};
    root.querySelectorAll("tr[data-status]").forEach(function (row) {
      found[row.id] = row.getAttribute("data-status");
    });
    return found;
  }

  // "<title>: <status>" of each document that became ready or failed since the last look:
  // a screen reader hears that once, not the whole table at every refresh.
  function finished(before) {
    var said = [];
    region.querySelectorAll("tr[data-status]").forEach(function (row) {
      var now = row.getAttribute("data-status");
      if ((now === "ready" || now === "failed") && before[row.id] && before[row.id] !== now) {
        var title = row.cells[0].firstChild.textContent.trim();
        said.push(title + ": " + row.cells[1].textContent.replace(/\s+/g, " ").trim());
      }
    });
    return said.join(". ");
  }

  function replace(fresh) {
    if (fresh.innerHTML === region.innerHTML) {
      return;
    }
    // Keep the keyboard where it was when the link it was on is still there.
    var active = document.activeElement;
    var focused = region.contains(active) ? active.getAttribute("href") : null;
    var before = statuses(region);
    region.innerHTML = fresh.innerHTML;
    if (focused) {
      var again = region.querySelector('a[href="' + focused + '"]');
      if (again) {
        again.focus();
      }
    }
    var said = finished(before);
    if (news && said) {
      news.textContent = said;
    }
  }

  function refresh() {
    if (!region || !region.hasAttribute("data-working")) {
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("documents");
        if (fresh) {
          replace(fresh);
          region.toggleAttribute("data-working", fresh.hasAttribute("data-working"));
        } else {  // signed out meanwhile (the sign-in page came): stop; a reload says so
          region.removeAttribute("data-working");
        }
      })
      .catch(function () {})  // offline for a moment: the next look tries again
      .finally(function () { window.setTimeout(refresh, EVERY); });
  }
  window.setTimeout(refresh, EVERY);
})();
