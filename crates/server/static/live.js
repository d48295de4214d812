// Live updates: a workspace's pages listen to its changes (server-sent
// events) and, a moment after each made by someone else, redraw the parts marked data-live from
// the page as the server now renders it; the task sheet and the Gantt
// reload their data; the bell shows the unread count. A part the viewer is
// typing in, or has typed into, waits until they are done. EventSource
// reconnects by itself and resumes after the last change it saw.
"use strict";

(() => {
  const ws = document.body.dataset.ws;
  if (!ws || !window.EventSource) return;
  // One event name per kind of object (the stream names each change's kind).
  const KINDS = ["task", "dependency", "project", "calendar", "resource", "sprint", "feature", "feedback",
    "release", "objective", "key_result", "product", "risk", "defect", "change_request", "decision", "comment",
    "time_entry", "status_report", "baseline", "competitor", "metric", "sync", "workspace", "member",
    "monte_carlo", "notification", "invitation", "standup", "follow_up", "retro_item"];
  let timer = 0;
  let waiting = false;

  const busy = (region) =>
    region.dataset.dirty === "true" ||
    (region.contains(document.activeElement) && document.activeElement.matches("input, textarea, select, [contenteditable]"));

  // Typing marks the part, so a redraw never takes what was typed.
  document.addEventListener("input", (e) => {
    const region = e.target instanceof Element && e.target.closest("[data-live]");
    if (region) region.dataset.dirty = "true";
  });

  const bell = async () => {
    const a = document.querySelector("a.bell");
    if (!a) return;
    const res = await fetch("/notifications/unread.json", { credentials: "same-origin" });
    if (!res.ok) return;
    const { unread } = await res.json();
    let badge = a.querySelector(".badge");
    if (unread > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "badge";
        a.append(badge);
      }
      badge.textContent = String(unread);
      badge.dataset.unread = String(unread);
      a.setAttribute("aria-label", `Notifications: ${unread} unread`);
    } else {
      if (badge) badge.remove();
      a.setAttribute("aria-label", "Notifications");
    }
  };

  const redraw = async () => {
    const regions = Array.from(document.querySelectorAll("[data-live][id]"));
    if (!regions.length) return;
    const res = await fetch(window.location.href, { credentials: "same-origin", headers: { accept: "text/html" } });
    if (!res.ok) return;
    const fresh = new DOMParser().parseFromString(await res.text(), "text/html");
    for (const region of regions) {
      const next = fresh.getElementById(region.id);
      if (!next) continue;
      if (busy(region)) {
        waiting = true;
        continue;
      }
      region.replaceChildren(...Array.from(next.childNodes).map((n) => document.importNode(n, true)));
    }
    document.dispatchEvent(new CustomEvent("tandem:redrawn"));
  };

  const refresh = async () => {
    window.dispatchEvent(new CustomEvent("tandem:changed"));
    try {
      await Promise.all([bell(), redraw()]);
    } catch {
      // A failed redraw waits for the next change.
    }
  };

  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  };

  // The viewer's own changes are on the page already (a form's answer, or
  // the sheet's and the board's own redraw): only others' count.
  const me = document.body.dataset.user;
  const heard = (e) => {
    try {
      if (me && String(JSON.parse(e.data).actor_id) === me) return;
    } catch {
      // Not ours to judge: redraw.
    }
    changed();
  };

  const source = new EventSource(`/api/v1/workspaces/${ws}/events`);
  for (const kind of KINDS) source.addEventListener(kind, heard);
  source.onmessage = heard;

  // A part left alone again catches up.
  document.addEventListener("submit", (e) => {
    const region = e.target instanceof Element && e.target.closest("[data-live]");
    if (region) delete region.dataset.dirty;
  });
  document.addEventListener("focusout", () => {
    if (!waiting) return;
    setTimeout(() => {
      if (document.querySelector("[data-live][data-dirty]") === null) {
        waiting = false;
        changed();
      }
    }, 0);
  });
  window.addEventListener("pagehide", () => source.close());
})();
