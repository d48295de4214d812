// The command palette: Ctrl K (⌘ K) or / on any page opens a search over
// pages and objects; arrows move, Enter opens, Escape closes. Without it,
// the search box in the header posts to /search.
"use strict";

(() => {
  const box = document.querySelector("input[data-palette]");
  if (!box) return;
  let dialog = null;
  let input = null;
  let list = null;
  let status = null;
  let options = [];
  let active = -1;
  let asked = 0;
  let timer = 0;

  const typing = (el) =>
    el instanceof HTMLElement &&
    (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  const label = (type) => {
    const words = type.replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  };

  const select = (i) => {
    if (!options.length) return;
    active = (i + options.length) % options.length;
    options.forEach((o, k) => o.setAttribute("aria-selected", k === active ? "true" : "false"));
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  };

  const option = (url, parts) => {
    const li = document.createElement("li");
    li.setAttribute("role", "option");
    li.id = `palette-option-${options.length}`;
    li.dataset.url = url;
    for (const [cls, text] of parts) {
      if (!text) continue;
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      li.append(span, " ");
    }
    li.addEventListener("mousedown", (e) => {
      e.preventDefault();
      window.location.assign(url);
    });
    options.push(li);
    return li;
  };

  const group = (title) => {
    const li = document.createElement("li");
    li.className = "palette-group";
    li.setAttribute("role", "presentation");
    li.textContent = title;
    return li;
  };

  const show = (data, q) => {
    list.replaceChildren();
    options = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (data.pages.length) {
      list.append(group("Pages"));
      for (const p of data.pages) list.append(option(p.url, [["palette-title", p.title], ["muted", p.context]]));
    }
    if (data.items.length) {
      list.append(group("Found"));
      for (const i of data.items) {
        list.append(option(i.url, [["pill", label(i.type)], ["ws-key", i.key], ["palette-title", i.title],
          ["muted palette-snippet", i.snippet]]));
      }
    }
    list.append(group(""));
    list.append(option(`/search?q=${encodeURIComponent(q)}`, [["palette-title", `All results for “${q}”`]]));
    const n = data.pages.length + data.items.length;
    status.textContent = n ? `${n} found` : "Nothing found";
    select(0);
  };

  const ask = async () => {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) {
      list.replaceChildren();
      options = [];
      status.textContent = "Type a key or the start of words";
      return;
    }
    try {
      const res = await fetch(`/search.json?q=${encodeURIComponent(q)}`, { credentials: "same-origin" });
      if (mine !== asked) return;
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        list.replaceChildren();
        options = [];
        status.textContent = (body && body.error && body.error.message) || "Search is unavailable";
        return;
      }
      show(await res.json(), q);
    } catch {
      if (mine === asked) status.textContent = "Search is unavailable";
    }
  };

  const build = () => {
    dialog = document.createElement("dialog");
    dialog.className = "palette";
    dialog.setAttribute("aria-label", "Search");
    input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Search pages, tasks, features, feedback…";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "true");
    input.setAttribute("aria-controls", "palette-list");
    input.setAttribute("aria-label", "Search");
    input.autocomplete = "off";
    list = document.createElement("ul");
    list.id = "palette-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Results");
    status = document.createElement("p");
    status.className = "muted palette-status";
    status.setAttribute("role", "status");
    dialog.append(input, status, list);
    document.body.append(dialog);
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", (e) => {
      // A search field's Escape would only clear it; here it closes.
      if (e.key === "Escape") { e.preventDefault(); dialog.close(); }
      else if (e.key === "ArrowDown") { e.preventDefault(); select(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(active - 1); }
      else if (e.key === "Enter") {
        e.preventDefault();
        const q = input.value.trim();
        if (options[active]) window.location.assign(options[active].dataset.url);
        else if (q) window.location.assign(`/search?q=${encodeURIComponent(q)}`);
      }
    });
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
  };

  const open = (text) => {
    if (!dialog) build();
    if (!dialog.open) dialog.showModal();
    if (text !== undefined) input.value = text;
    input.focus();
    input.select();
    ask();
  };

  document.addEventListener("keydown", (e) => {
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === "k") {
      e.preventDefault();
      open();
    } else if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target)) {
      e.preventDefault();
      open();
    }
  });
  // Typing into the header's box, or clicking it, opens the palette with
  // what is there (Tab alone only passes through it).
  const fromBox = () => {
    const text = box.value;
    box.value = "";
    open(text);
  };
  box.addEventListener("input", fromBox);
  box.addEventListener("click", fromBox);
  // The narrow header's search button opens it too.
  for (const a of document.querySelectorAll("[data-palette-open]")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      open();
    });
  }
})();
