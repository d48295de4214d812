// Tandem's page behaviour. Pages work without it; it only adds comfort.
"use strict";

// Forms marked data-confirm ask before they submit.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Close an open menu when clicking elsewhere or pressing Escape.
const closeMenus = (except) => {
  for (const d of document.querySelectorAll("details[open]")) {
    if (d !== except) d.removeAttribute("open");
  }
};
document.addEventListener("click", (event) => {
  closeMenus(event.target instanceof Element ? event.target.closest("details") : null);
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMenus(null);
});
