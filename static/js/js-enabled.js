/* Marks the page as scripted, so the header offers its "Menü" button only when the button
   can work; without JavaScript the menu simply stays open on small screens. */
document.documentElement.classList.add("js");
