// costmark dashboard: draw Plotly figures from the page's JSON, refresh live on new data.
(function () {
  "use strict";

  function drawFigures(root) {
    var holder = (root || document).querySelector("#page-figures");
    if (!holder || !window.Plotly) { return; }
    var figs = JSON.parse(holder.textContent);
    Object.keys(figs).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) {
        Plotly.react(el, figs[id].data, figs[id].layout, {displaylogo: false, responsive: true});
      }
    });
  }

  function refresh(version) {
    fetch(window.location.href, {headers: {"Accept": "text/html"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("content");
        if (!fresh) { return; }
        document.getElementById("content").innerHTML = fresh.innerHTML;
        drawFigures(document);
        var status = document.getElementById("live-status");
        status.textContent = "updated " + new Date().toLocaleTimeString() + " (v" + version + ")";
        status.setAttribute("data-version", String(version));
        status.className = "updated";
      })
      .catch(function () { /* a failed refresh keeps the current page */ });
  }

  function listen() {
    if (!window.EventSource) { return; }
    var source = new EventSource("/api/events?since=" + document.body.getAttribute("data-live-version"));
    source.addEventListener("ingest", function (e) {
      var data = JSON.parse(e.data);
      refresh(data.version);
    });
  }

  drawFigures(document);
  listen();
})();
