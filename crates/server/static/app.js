// Tandem's page behaviour. Pages work without it; it only adds comfort.
"use strict";

// Forms (or their buttons) marked data-confirm ask before they submit.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const ask = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
  if (ask && !window.confirm(ask)) event.preventDefault();
});

// Close an open menu when clicking elsewhere or pressing Escape.
const closeMenus = (except) => {
  for (const d of document.querySelectorAll("details[open]:not(.keep-open)")) {
    if (d !== except) d.removeAttribute("open");
  }
};
document.addEventListener("click", (event) => {
  closeMenus(event.target instanceof Element ? event.target.closest("details") : null);
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMenus(null);
});

// A link to a closed section (details) opens it.
const openTarget = () => {
  const el = window.location.hash.length > 1 ? document.getElementById(window.location.hash.slice(1)) : null;
  if (el instanceof HTMLDetailsElement) el.open = true;
};
window.addEventListener("hashchange", openTarget);
openTarget();

// The CSRF token of this page's session, for API calls made from the page.
const csrfOf = (el) => (el && el.dataset.csrf) || "";

// Calls the JSON API; on failure reloads so the page shows the truth.
const api = async (method, url, token, body) => {
  const res = await fetch(url, {
    method, credentials: "same-origin",
    headers: { "content-type": "application/json", "x-csrf-token": token },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const err = await res.json().catch(() => ({}));
    window.alert((err.error && err.error.message) || `Request failed (${res.status})`);
  }
  return res;
};

// Roadmap: drag a card to another lane (Pointer Events: mouse, touch, pen).
const roadmap = document.getElementById("roadmap");
if (roadmap) {
  let drag = null;
  const laneAt = (x, y) => {
    const el = document.elementFromPoint(x, y);
    return el ? el.closest(".lane") : null;
  };
  roadmap.addEventListener("pointerdown", (e) => {
    const card = e.target instanceof Element ? e.target.closest(".roadmap-card.draggable") : null;
    if (!card || e.target.closest("a, select, button, input")) return;
    e.preventDefault();
    drag = { card, from: card.closest(".lane"), over: null };
    card.setPointerCapture(e.pointerId);
    card.classList.add("dragging");
    card.style.left = `${e.clientX - 20}px`;
    card.style.top = `${e.clientY - 10}px`;
  });
  roadmap.addEventListener("pointermove", (e) => {
    if (!drag) return;
    drag.card.style.left = `${e.clientX - 20}px`;
    drag.card.style.top = `${e.clientY - 10}px`;
    const lane = laneAt(e.clientX, e.clientY);
    if (drag.over && drag.over !== lane) drag.over.classList.remove("drop-target");
    if (lane) lane.classList.add("drop-target");
    drag.over = lane;
  });
  const finish = async (e) => {
    if (!drag) return;
    const { card, from } = drag;
    const lane = laneAt(e.clientX, e.clientY);
    drag = null;
    card.classList.remove("dragging");
    card.style.left = card.style.top = "";
    for (const l of roadmap.querySelectorAll(".lane")) l.classList.remove("drop-target");
    if (!lane || lane === from) return;
    lane.querySelector(".cards-col").appendChild(card);
    const res = await api("PATCH", `/api/v1/features/${card.dataset.id}`, csrfOf(roadmap),
      { lane: lane.dataset.lane, version: Number(card.dataset.version) });
    window.location.reload();
    return res;
  };
  roadmap.addEventListener("pointerup", finish);
  roadmap.addEventListener("pointercancel", () => { if (drag) window.location.reload(); });
}

// Backlog: drag a row by its handle to change the manual order.
const backlog = document.getElementById("backlog");
if (backlog) {
  let row = null;
  // The feature row above (group headings are not features).
  const prevRow = (r) => {
    let p = r.previousElementSibling;
    while (p && !p.dataset.id) p = p.previousElementSibling;
    return p;
  };
  backlog.addEventListener("pointerdown", (e) => {
    const handle = e.target instanceof Element ? e.target.closest(".handle") : null;
    if (!handle) return;
    e.preventDefault();
    row = handle.closest("tr");
    handle.setPointerCapture(e.pointerId);
    row.classList.add("dragging");
  });
  backlog.addEventListener("pointermove", (e) => {
    if (!row) return;
    const el = document.elementFromPoint(e.clientX, e.clientY);
    const over = el ? el.closest("tbody tr") : null;
    if (!over || over === row) return;
    const box = over.getBoundingClientRect();
    over.parentNode.insertBefore(row, e.clientY < box.top + box.height / 2 ? over : over.nextSibling);
  });
  backlog.addEventListener("pointerup", async () => {
    if (!row) return;
    const moved = row;
    row = null;
    moved.classList.remove("dragging");
    const prev = prevRow(moved);
    await api("POST", `/api/v1/features/${moved.dataset.id}/move`, csrfOf(backlog),
      { after_id: prev ? prev.dataset.id : null });
    window.location.reload();
  });
  // From the keyboard: arrow up or down on a focused handle moves its row
  // one place, saved at once; focus stays on the handle.
  backlog.addEventListener("keydown", async (e) => {
    const handle = e.target instanceof Element ? e.target.closest(".handle") : null;
    if (!handle || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
    e.preventDefault();
    const r = handle.closest("tr");
    const up = e.key === "ArrowUp";
    const sib = up ? r.previousElementSibling : r.nextElementSibling;
    if (!sib) return;
    r.parentNode.insertBefore(r, up ? sib : sib.nextSibling);
    handle.focus();
    const prev = prevRow(r);
    const res = await api("POST", `/api/v1/features/${r.dataset.id}/move`, csrfOf(backlog),
      { after_id: prev ? prev.dataset.id : null });
    if (!res.ok) window.location.reload();
    else handle.setAttribute("aria-description", `Moved to place ${Array.from(r.parentNode.children).indexOf(r) + 1}`);
  });
}

// Board: drag a card to another column; the task's status follows.
const board = document.getElementById("board");
if (board) {
  let drag = null;
  const columnAt = (x, y) => {
    const el = document.elementFromPoint(x, y);
    return el ? el.closest(".column") : null;
  };
  board.addEventListener("pointerdown", (e) => {
    const card = e.target instanceof Element ? e.target.closest(".card-item.draggable") : null;
    if (!card || e.target.closest("a, select, button, input, label")) return;
    e.preventDefault();
    drag = { card, from: card.closest(".column"), over: null };
    card.setPointerCapture(e.pointerId);
    card.classList.add("dragging");
    card.style.left = `${e.clientX - 20}px`;
    card.style.top = `${e.clientY - 10}px`;
  });
  board.addEventListener("pointermove", (e) => {
    if (!drag) return;
    drag.card.style.left = `${e.clientX - 20}px`;
    drag.card.style.top = `${e.clientY - 10}px`;
    const col = columnAt(e.clientX, e.clientY);
    if (drag.over && drag.over !== col) drag.over.classList.remove("drop-target");
    if (col) col.classList.add("drop-target");
    drag.over = col;
  });
  board.addEventListener("pointerup", async (e) => {
    if (!drag) return;
    const { card, from } = drag;
    const col = columnAt(e.clientX, e.clientY);
    drag = null;
    card.classList.remove("dragging");
    card.style.left = card.style.top = "";
    for (const c of board.querySelectorAll(".column")) c.classList.remove("drop-target");
    if (!col || col === from) return;
    col.querySelector(".cards-col").appendChild(card);
    await api("PATCH", `/api/v1/tasks/${card.dataset.id}`, csrfOf(board),
      { status: col.dataset.status, version: Number(card.dataset.version) });
    window.location.reload();
  });
  board.addEventListener("pointercancel", () => { if (drag) window.location.reload(); });
}

// A box that scrolls sideways (a wide table or chart on a narrow screen)
// takes keyboard focus, so that it can be scrolled without a mouse.
const scrollers = ".chart-box, .table-wrap, .scroll, .kanban, main table";
function focusScrollers() {
  for (const el of document.querySelectorAll(scrollers)) {
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && !el.hasAttribute("tabindex")) {
      el.tabIndex = 0;
      el.dataset.scrollFocus = "1";
    } else if (!scrolls && el.dataset.scrollFocus) {
      el.removeAttribute("tabindex");
      delete el.dataset.scrollFocus;
    }
  }
}
focusScrollers();
window.addEventListener("resize", focusScrollers);

// Forms: a refusal comes back to this page (see web/refusal.rs) with the
// reason beside the field and what was typed put back; a save says so.
document.cookie = "tandem_js=1; Path=/; SameSite=Strict";
const readCookie = (name) => {
  const hit = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
  return hit ? hit.slice(name.length + 1) : null;
};
const dropCookie = (name) => { document.cookie = `${name}=; Path=/; Max-Age=0; SameSite=Strict`; };
const actionOf = (form) => new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname;
const typedKey = (action) => `tandem-typed:${action}`;

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post" || event.defaultPrevented) return;
  const typed = {};
  for (const el of form.elements) {
    // Hidden fields (versions, tokens) come fresh from the page; secrets are never kept.
    if (!el.name || ["hidden", "password", "file", "submit", "button"].includes(el.type)) continue;
    if (el.type === "checkbox" || el.type === "radio") {
      if (el.checked) (typed[el.name] ||= []).push(el.value);
    } else if (el instanceof HTMLSelectElement && el.multiple) {
      typed[el.name] = Array.from(el.selectedOptions, (o) => o.value);
    } else {
      typed[el.name] = el.value;
    }
  }
  try { sessionStorage.setItem(typedKey(actionOf(form)), JSON.stringify(typed)); } catch { /* private mode */ }
});

const showNote = (cls, role, text) => {
  const p = document.createElement("p");
  p.className = cls;
  p.setAttribute("role", role);
  p.textContent = text;
  const main = document.getElementById("main");
  if (main) main.prepend(p);
  return p;
};

const restoreTyped = (form, typed) => {
  for (const [name, value] of Object.entries(typed)) {
    for (const el of form.elements) {
      if (el.name !== name) continue;
      if (el.type === "checkbox" || el.type === "radio") el.checked = Array.isArray(value) && value.includes(el.value);
      else if (el instanceof HTMLSelectElement && el.multiple) {
        for (const o of el.options) o.selected = Array.isArray(value) && value.includes(o.value);
      } else if (typeof value === "string") el.value = value;
    }
  }
};

const showRefusal = (r) => {
  showNote("alert", "alert", `Not saved: ${r.message}`);
  // The form that was posted (a filter bar's GET form may share its address).
  const form = Array.from(document.querySelectorAll("form"))
    .find((f) => f.method.toLowerCase() === "post" && actionOf(f) === r.action);
  if (!form) return;
  for (let d = form.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
  let typed = {};
  try { typed = JSON.parse(sessionStorage.getItem(typedKey(r.action)) || "{}"); } catch { typed = {}; }
  restoreTyped(form, typed);
  // Each refused field gets its reason beside it; the first takes focus.
  const all = (r.more && r.more.length) ? r.more : [{ field: r.field, message: r.message }];
  let first = null;
  for (const one of all) {
    // The refusal names the value as the API does (`rice.reach`); forms may
    // write it `rice_reach`.
    // A custom field's refusal (`custom_fields.tier`) is its input `cf.tier`.
    const names = one.field ? [one.field, one.field.replace(/\./g, "_"), one.field.replace(/^custom_fields\./, "cf.")] : [];
    const field = Array.from(form.elements).find((el) => names.includes(el.name) && el.type !== "hidden") || null;
    const note = document.createElement("span");
    note.className = "field-error";
    note.id = `refused-${one.field || "form"}`;
    note.textContent = one.message;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", note.id);
      (field.closest("label") || field).after(note);
      if (!first) first = field;
    } else {
      form.prepend(note);
    }
  }
  if (first) first.focus();
};

const refusal = readCookie("tandem_refusal");
if (refusal) {
  dropCookie("tandem_refusal");
  try { showRefusal(JSON.parse(decodeURIComponent(refusal.replace(/\+/g, " ")))); } catch { /* a damaged note shows nothing */ }
}
if (readCookie("tandem_saved")) {
  dropCookie("tandem_saved");
  for (const k of Object.keys(sessionStorage)) if (k.startsWith("tandem-typed:")) sessionStorage.removeItem(k);
  const note = showNote("toast", "status", "Saved.");
  setTimeout(() => note.remove(), 4000);
}

// A button marked data-copy copies the text of the element it names.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "Copied";
  } catch {
    button.textContent = "Select and copy by hand";
  }
  window.setTimeout(() => { button.textContent = label; }, 2000);
});

// On a narrow screen the tab strip scrolls: keep the current tab in view.
{
  const current = document.querySelector(".subnav [aria-current='page']");
  const strip = current && current.closest(".subnav");
  if (strip && strip.scrollWidth > strip.clientWidth) {
    const at = current.getBoundingClientRect();
    const box = strip.getBoundingClientRect();
    strip.scrollLeft += at.left - box.left - (box.width - at.width) / 2;
  }
}
