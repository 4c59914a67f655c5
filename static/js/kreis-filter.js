/* List pages: the Kreis filter offers only the Kreise of the chosen Land.
   The server renders the right options; this keeps them in step when the Land changes. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-kreise-url]").forEach(function (form) {
    var land = form.querySelector("#filter-land");
    var kreis = form.querySelector("#filter-kreis");
    if (!land || !kreis) { return; }
    var pending = null;
    land.addEventListener("change", function () {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var url = form.dataset.kreiseUrl + "?land=" + encodeURIComponent(land.value);
      kreis.setAttribute("aria-busy", "true");
      fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: pending.signal
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          var chosen = kreis.value;
          var first = kreis.options[0];  // "alle"
          while (kreis.options.length > 1) { kreis.remove(1); }
          data.kreise.forEach(function (k) {
            var option = new Option(k.label, k.ags, false, k.ags === chosen);
            kreis.add(option);
          });
          if (kreis.value !== chosen) { first.selected = true; }
          kreis.dataset.land = land.value;
        })
        .catch(function () { /* the server filters again when the form is sent */ })
        .finally(function () { kreis.removeAttribute("aria-busy"); });
    });
  });
})();
