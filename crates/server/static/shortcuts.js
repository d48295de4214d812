// Keyboard shortcuts: ? lists them; g then a letter goes to a page (the
// links marked data-go on the page, so a shortcut exists only where its
// link does); j and k move through a list and Enter opens the row; c goes
// to the form that adds to this page's list; e to the form that edits the
// object shown. None fires while typing in a field or inside a widget
// with keys of its own (the task sheet).
"use strict";

(() => {
  const ROWS = "main table.grid tbody tr:not(.group-head), main ul.results > li, main li.card.fb, main ul.notifications > li";
  let gAt = 0;
  let current = -1;
  let help = null;

  const typing = (el) =>
    el instanceof HTMLElement &&
    (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) ||
      !!el.closest("#sheet, [role=grid], [data-own-keys]"));

  const visible = (el) => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;

  // The first link of each letter (the wide and the narrow menu repeat them).
  const targets = () => {
    const seen = new Map();
    for (const a of document.querySelectorAll("a[data-go]")) {
      if (!seen.has(a.dataset.go)) seen.set(a.dataset.go, a);
    }
    return seen;
  };

  const move = (step) => {
    const rows = Array.from(document.querySelectorAll(ROWS)).filter(visible);
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, current < 0 && step < 0 ? 0 : current + step));
    rows.forEach((r) => r.classList.remove("kb-current"));
    const row = rows[current];
    row.classList.add("kb-current");
    const link = row.querySelector("a[href]");
    if (link) link.focus();
    else {
      row.tabIndex = -1;
      row.focus();
    }
    row.scrollIntoView({ block: "nearest" });
  };

  const goToForm = (selector) => {
    const form = document.querySelector(selector);
    if (!form) return false;
    const details = form.closest("details");
    if (details && !details.open) details.open = true;
    const field = Array.from(form.querySelectorAll("input:not([type=hidden]), textarea, select")).find(visible);
    if (!field) return false;
    field.scrollIntoView({ block: "center" });
    field.focus();
    return true;
  };

  const line = (keys, what) => {
    const dt = document.createElement("dt");
    keys.forEach((k, i) => {
      if (i) dt.append(" then ");
      const kbd = document.createElement("kbd");
      kbd.textContent = k;
      dt.append(kbd);
    });
    const dd = document.createElement("dd");
    dd.textContent = what;
    return [dt, dd];
  };

  const showHelp = () => {
    if (!help) {
      help = document.createElement("dialog");
      help.className = "shortcuts";
      help.setAttribute("aria-labelledby", "shortcuts-title");
      document.body.append(help);
      help.addEventListener("click", (e) => { if (e.target === help) help.close(); });
    }
    const title = document.createElement("h2");
    title.id = "shortcuts-title";
    title.textContent = "Keyboard shortcuts";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "dialog-close";
    close.setAttribute("aria-label", "Close");
    close.textContent = "×";
    close.addEventListener("click", () => help.close());
    const list = document.createElement("dl");
    list.append(...line(["?"], "Show these shortcuts"), ...line(["/"], "Search (or Ctrl K, ⌘ K)"));
    list.append(...line(["j"], "Next row of the list"), ...line(["k"], "Previous row"), ...line(["Enter"], "Open the row"));
    if (document.querySelector("form[data-create]")) list.append(...line(["c"], "Add to this page's list"));
    if (document.querySelector("form[data-edit]")) list.append(...line(["e"], "Edit what this page shows"));
    const go = document.createElement("h3");
    go.textContent = "Go to";
    const goes = document.createElement("dl");
    goes.className = "go";
    for (const [letter, a] of targets()) goes.append(...line(["g", letter], a.dataset.goLabel || a.textContent.trim()));
    help.replaceChildren(close, title, list, go, goes);
    help.showModal();
    close.focus();
  };

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const k = e.key;
    if (gAt && Date.now() - gAt < 1500) {
      gAt = 0;
      const a = targets().get(k.toLowerCase());
      if (a) {
        e.preventDefault();
        window.location.assign(a.href);
      }
      return;
    }
    gAt = 0;
    if (k === "?") { e.preventDefault(); showHelp(); }
    else if (k === "g") { gAt = Date.now(); }
    else if (k === "j") { e.preventDefault(); move(1); }
    else if (k === "k") { e.preventDefault(); move(-1); }
    else if (k === "c") { if (goToForm("form[data-create]")) e.preventDefault(); }
    else if (k === "e") { if (goToForm("form[data-edit]")) e.preventDefault(); }
  });
})();
