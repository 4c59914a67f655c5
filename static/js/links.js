/* Link forms (memberships, affiliations, roles, relationships): the picker of the other
 * record. Typing in the search box asks /links/lookup/<kind>?q=… and offers up to 20 hits
 * as buttons; choosing one puts its id into the hidden field the form posts. Typing again
 * clears the choice, so the id always belongs to the name shown. No inline script (CSP). */
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY_MS = 200;

  function init(box) {
    var input = box.querySelector("input[name='other_name']");
    var hidden = box.querySelector("input[name='other_id']");
    var results = box.querySelector(".link-picker-results");
    var chosen = box.querySelector(".link-picker-chosen");
    var url = box.getAttribute("data-lookup-url");
    if (!input || !hidden || !results || !url) {
      return;
    }
    var timer = null;
    var latest = 0;

    function clearResults() {
      results.textContent = "";
    }

    function say(text) {
      if (chosen) {
        chosen.textContent = text;
      }
    }

    function choose(hit) {
      hidden.value = String(hit.id);
      input.value = hit.label;
      input.classList.remove("is-invalid");
      clearResults();
      say(box.getAttribute("data-chosen-text") + " " + hit.label + (hit.detail ? " (" + hit.detail + ")" : ""));
      input.focus();
    }

    function show(hits) {
      clearResults();
      if (!hits.length) {
        var none = document.createElement("p");
        none.className = "form-text mb-0";
        none.textContent = box.getAttribute("data-none-text");
        results.appendChild(none);
        return;
      }
      hits.forEach(function (hit) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action";
        button.setAttribute("data-id", String(hit.id));
        button.textContent = hit.label;
        if (hit.detail) {
          var detail = document.createElement("small");
          detail.className = "text-body-secondary ms-2";
          detail.textContent = hit.detail;
          button.appendChild(detail);
        }
        button.addEventListener("click", function () {
          choose(hit);
        });
        results.appendChild(button);
      });
    }

    function ask(query) {
      var ticket = ++latest;
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          if (ticket === latest) {
            show(data.results || []);
          }
        })
        .catch(function () {
          if (ticket === latest) {
            clearResults();
            say(box.getAttribute("data-error-text"));
          }
        });
    }

    input.addEventListener("input", function () {
      hidden.value = "";
      say("");
      if (timer) {
        window.clearTimeout(timer);
      }
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        latest++;
        clearResults();
        return;
      }
      timer = window.setTimeout(function () {
        ask(query);
      }, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var first = results.querySelector("button");
        if (first) {
          event.preventDefault();
          first.focus();
        }
      } else if (event.key === "Escape") {
        clearResults();
      }
    });

    results.addEventListener("keydown", function (event) {
      var current = document.activeElement;
      if (!current || current.parentNode !== results) {
        return;
      }
      if (event.key === "ArrowDown" && current.nextElementSibling) {
        event.preventDefault();
        current.nextElementSibling.focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (current.previousElementSibling || input).focus();
      } else if (event.key === "Escape") {
        clearResults();
        input.focus();
      }
    });
  }

  document.querySelectorAll(".link-picker").forEach(init);
})();
