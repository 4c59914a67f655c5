/* Organisation fields ("Name (#Nummer)"): typing two or more letters offers matching
 * organisations from /organisations/lookup in the field's <datalist>. No inline script. */
(function () {
  "use strict";

  var REF = /\(#\d+\)\s*$/;

  function init(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-org-lookup");
    var timer = null;
    var requested = null;

    function show(organisations) {
      list.textContent = "";
      organisations.forEach(function (o) {
        var option = document.createElement("option");
        option.value = o.label;
        if (o.place) {
          option.textContent = o.place;
        }
        list.appendChild(option);
      });
    }

    function lookup() {
      var text = input.value.trim();
      if (text.length < 2 || REF.test(text) || text === requested) {
        return;
      }
      requested = text;
      fetch(url + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { organisations: [] };
        })
        .then(function (data) {
          if (requested === text) {
            show(data.organisations || []);
          }
        })
        .catch(function () {
          requested = null;
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-org-lookup][list]").forEach(init);
  });
})();
