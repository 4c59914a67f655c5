/* Address forms: typing a PLZ fills Ort, Kreis and Land from /geo/plz/<plz>.
 * Where a PLZ spans several places, Kreise or Länder, the candidates are offered in a
 * select below the PLZ field; choosing one fills the fields. No inline script (CSP). */
(function () {
  "use strict";

  function init(input) {
    var form = input.form;
    if (!form) {
      return;
    }
    var place = form.querySelector("#place");
    var kreis = form.querySelector("#kreis");
    var land = form.querySelector("#land");
    var box = document.getElementById("plz-candidates");
    var urlTemplate = input.getAttribute("data-plz-lookup");
    var lastAutoPlace = null;
    var requested = null;

    function setSelect(select, value) {
      if (!select || !value) {
        return;
      }
      if (select.querySelector('option[value="' + value + '"]')) {
        select.value = value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function fill(candidate) {
      if (place && (!place.value.trim() || place.value === lastAutoPlace)) {
        place.value = candidate.place;
        lastAutoPlace = candidate.place;
      }
      setSelect(kreis, candidate.kreis_ags);
      setSelect(land, candidate.land_ags);
    }

    function message(text) {
      if (!box) {
        return;
      }
      box.textContent = "";
      if (text) {
        var p = document.createElement("p");
        p.className = "form-text mb-0";
        p.textContent = text;
        box.appendChild(p);
      }
    }

    function describe(c) {
      var parts = [c.place];
      if (c.kreis_name) {
        parts.push(c.kreis_name);
      }
      if (c.land_name) {
        parts.push(c.land_name);
      }
      return parts.join(" – ");
    }

    function offer(candidates) {
      message("");
      if (!box) {
        fill(candidates[0]);
        return;
      }
      var label = document.createElement("label");
      label.className = "form-label";
      label.setAttribute("for", "plz-choice");
      label.textContent = box.getAttribute("data-choose-label");
      var select = document.createElement("select");
      select.id = "plz-choice";
      select.className = "form-select";
      var empty = document.createElement("option");
      empty.value = "";
      empty.textContent = "–";
      select.appendChild(empty);
      candidates.forEach(function (c, index) {
        var option = document.createElement("option");
        option.value = String(index);
        option.textContent = describe(c);
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        if (select.value !== "") {
          fill(candidates[Number(select.value)]);
        }
      });
      box.appendChild(label);
      box.appendChild(select);
    }

    function lookup() {
      var plz = input.value.trim();
      if (!/^\d{5}$/.test(plz)) {
        message("");
        requested = null;
        return;
      }
      if (plz === requested) {
        return;
      }
      requested = plz;
      fetch(urlTemplate.replace("00000", plz), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { candidates: [] };
        })
        .then(function (data) {
          if (requested !== plz) {
            return; // a newer PLZ was typed meanwhile
          }
          var candidates = data.candidates || [];
          if (candidates.length === 0) {
            message(box ? box.getAttribute("data-unknown-label") : "");
          } else if (candidates.length === 1) {
            fill(candidates[0]);
            message(box ? box.getAttribute("data-filled-label") : "");
          } else {
            offer(candidates);
          }
        })
        .catch(function () {
          requested = null;
        });
    }

    input.addEventListener("input", lookup);
    input.addEventListener("change", lookup);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-plz-lookup]").forEach(init);
  });
})();
