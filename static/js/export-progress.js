/* A large export's page: keeps the progress bar current from the JSON status
   (data-export-progress) and reloads the page once the file is ready or has failed,
   which then offers the download. Without JavaScript the page refreshes itself. */
(function () {
  "use strict";
  var box = document.querySelector("[data-export-progress]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-export-text]");
  function poll() {
    fetch(box.dataset.exportProgress, {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (data.status !== "queued" && data.status !== "running") {
          window.location.reload();
          return;
        }
        bar.max = data.total || 1;
        bar.value = data.done;
        bar.textContent = String(data.done);
        text.textContent = data.text;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
