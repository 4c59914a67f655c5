/* Keyboard and screen-reader help on every page (loaded by base.html after Bootstrap):
   - a form's error summary takes the focus when the page loads, so it is read first and
     its links lead to the fields (WCAG 3.3.1);
   - Escape closes the opened header menu ("Menü" below 1200 px) and gives the focus back
     to its button (Bootstrap closes its dropdowns on Escape, not a collapse). */
(function () {
  "use strict";
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !window.bootstrap) {
      return;
    }
    const menu = document.querySelector(".app-header .navbar-collapse.show");
    if (!menu || menu.querySelector(".dropdown-menu.show")) {
      return; // an open "Verwaltung" dropdown closes first, by Bootstrap
    }
    const toggler = document.querySelector('.app-header [data-bs-target="#' + menu.id + '"]');
    window.bootstrap.Collapse.getOrCreateInstance(menu, { toggle: false }).hide();
    if (toggler) {
      toggler.focus();
    }
  });

  /* A data table wider than its box scrolls inside it (reflow, 1.4.10); a scrolling box is
     reachable by keyboard (arrow keys scroll it) and named after its table's caption. */
  function markScrollBoxes() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        const caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : (document.documentElement.lang === "en" ? "Table" : "Tabelle"));
        box.dataset.scrollBox = "1";
      } else if (!scrolls && box.dataset.scrollBox) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollBox;
      }
    });
  }
  markScrollBoxes();
  let resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(markScrollBoxes, 150);
  });

  /* A link of the error summary moves the focus into its field, not only the view. */
  if (summary) {
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.scrollIntoView({ block: "center" });
        field.focus();
      }
    });
  }
})();
