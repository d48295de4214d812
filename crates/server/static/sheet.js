// Tandem's task sheet and Gantt chart: MS Project's Gantt Chart view in the
// browser. Rows are drawn only where the viewport is, so a plan of thousands
// of tasks scrolls as fast as a small one. Every edit is one request; the
// sheet then reloads its data and redraws in place.
"use strict";
(() => {
  const root = document.getElementById("sheet");
  if (!root) return;
  const SRC = root.dataset.src;
  const POST = root.dataset.post;
  const CSRF = root.dataset.csrf;
  const GANTT = root.dataset.mode === "gantt";
  const ROW = 30;
  const HEAD = 46;
  const OVERSCAN = 10;
  const DAY_MS = 86400000;
  const ZOOMS = { day: 30, week: 9, month: 2.6, quarter: 1 };
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

  // ---- formatting ----
  const dayOf = (t) => Date.UTC(+t.slice(0, 4), +t.slice(5, 7) - 1, +t.slice(8, 10), +t.slice(11, 13) || 0, +t.slice(14, 16) || 0) / DAY_MS;
  const isoDay = (d) => new Date(Math.floor(d) * DAY_MS).toISOString().slice(0, 10);
  // In the reader's date order, as the server writes dates on pages.
  let dateOrder = "day_month";
  const dateText = (t) => {
    if (!t) return "";
    const d = new Date(dayOf(t) * DAY_MS);
    const [w, day, mon, y] = [WEEKDAYS[d.getUTCDay()], d.getUTCDate(), MONTHS[d.getUTCMonth()], d.getUTCFullYear()];
    if (dateOrder === "iso") return isoDay(dayOf(t));
    if (dateOrder === "month_day") return `${w}, ${mon} ${day}, ${y}`;
    return `${w} ${day} ${mon} ${y}`;
  };
  const slackText = (m) => {
    const d = m / 480;
    return `${Number.isInteger(d) ? d : d.toFixed(1)} d`;
  };

  // The sheet's columns: the first two stay in view when the rest scroll.
  const ALL = [
    { key: "number", label: "ID", w: 52, num: true },
    { key: "wbs", label: "WBS", w: 64 },
    { key: "name", label: "Task name", w: 250, edit: true },
    { key: "duration", label: "Duration", w: 90, edit: true },
    { key: "start", label: "Start", w: 148, edit: true, show: dateText, raw: (r) => r.start.slice(0, 10) },
    { key: "finish", label: "Finish", w: 148, edit: true, show: dateText, raw: (r) => r.finish.slice(0, 10) },
    { key: "predecessors", label: "Predecessors", w: 120, edit: true },
    { key: "resources", label: "Resources", w: 160, edit: true },
    { key: "percent_complete", label: "% complete", w: 88, edit: true, num: true, show: (v) => `${v}%` },
    { key: "total_slack_minutes", label: "Slack", w: 70, num: true, show: slackText },
    { key: "assignee", label: "Assignee", w: 130 },
  ];
  const WIDE_GANTT = ALL.filter((c) => ["number", "name", "duration", "start", "finish"].includes(c.key));
  // On a narrow screen the chart keeps the ID and a shorter name beside it.
  const NARROW_GANTT = [{ ...ALL[0], w: 40 }, { ...ALL[2], w: 150 }];
  let COLS = GANTT ? WIDE_GANTT : ALL;
  // Columns that stay when the rest scroll sideways: the whole table beside
  // the chart, the ID to the name in the sheet; none in a narrow sheet.
  let STICKY = GANTT ? COLS.length : 3;
  let SHEET_W = 0;
  // The workspace's custom task fields follow, typed as text: options by
  // name (several with commas), people by name, dates as 2026-03-31.
  const customCols = () => ((data && data.fields) || []).map((f) => {
    const key = `cf.${f.key}`;
    const show = f.type === "person" ? (v) => (v ? f.people[v] || "a former member" : "")
      : f.type === "date" ? (v) => (v ? dateText(`${v}T00:00:00`) : "")
        : (v) => String(v ?? "");
    const raw = f.type === "person" ? (r) => show(r[key]) : (r) => String(r[key] ?? "");
    return { key, label: f.name, w: 140, edit: true, show, raw };
  });
  const columns = () => {
    const narrow = scroller.clientWidth < 700;
    COLS = GANTT ? (narrow ? NARROW_GANTT : WIDE_GANTT) : ALL.concat(customCols());
    STICKY = GANTT ? COLS.length : narrow ? 0 : 3;
    let x = 0;
    for (const c of COLS) { c.x = x; x += c.w; }
    SHEET_W = x;
    // The name column is where the cursor starts.
    sel.c = sel.c < 0 ? COLS.findIndex((c) => c.key === "name") : Math.min(sel.c, COLS.length - 1);
  };

  // ---- state ----
  let data = null;
  let rows = [];
  let index = new Map();
  let sel = { r: 0, c: -1 };
  let editing = null;
  let undo = null;
  let zoom = localStorage.getItem("tandem.zoom") || "week";
  if (!ZOOMS[zoom]) zoom = "week";
  let origin = 0;
  let chartDays = 0;
  let drawn = [-1, -1];
  let drag = null;

  // ---- the frame ----
  root.innerHTML = `
    <div class="sheet-bar">
      ${GANTT ? `<span class="zoom" role="group" aria-label="Zoom">${Object.keys(ZOOMS).map((z) => `<button type="button" data-zoom="${z}">${z[0].toUpperCase()}${z.slice(1)}s</button>`).join("")}</span>` : ""}
      <button type="button" data-act="undo" disabled>Undo</button>
      <span class="sheet-help muted small">${GANTT
        ? "Drag a bar to move it, its end to change the duration, its dot onto another bar to link them. Keys: Alt+←/→ move, Alt+Shift+←/→ duration, Alt+L link to the next row, Alt+Enter opens the task."
        : "Arrows move; Enter or typing edits; Tab/Shift+Tab indent in the name column; Insert adds above; Alt+Shift+↑/↓ moves; Delete removes; Ctrl+Z undoes; Alt+Enter opens the task."}</span>
      <span class="sheet-status" role="status" aria-live="polite"></span>
    </div>
    <div class="sheet-scroll" tabindex="0" role="grid" aria-label="${GANTT ? "Gantt chart" : "Task sheet"}" aria-multiselectable="false">
      <div class="sheet-canvas">
        <div class="sheet-head" role="row"></div>
        <div class="sheet-lines"></div>
        <svg class="sheet-links" aria-hidden="true"></svg>
        <div class="sheet-rows" role="rowgroup"></div>
      </div>
    </div>`;
  const scroller = root.querySelector(".sheet-scroll");
  const canvas = root.querySelector(".sheet-canvas");
  const head = root.querySelector(".sheet-head");
  const lines = root.querySelector(".sheet-lines");
  const linksSvg = root.querySelector(".sheet-links");
  const body = root.querySelector(".sheet-rows");
  const status = root.querySelector(".sheet-status");
  const undoBtn = root.querySelector("[data-act=undo]");

  const say = (text, bad) => {
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
    status.setAttribute("role", bad ? "alert" : "status");
  };

  // ---- data ----
  const canEdit = () => data && data.can_edit;
  const mayProgress = (r) => canEdit() || (data && data.progress.includes(r.id));
  const editable = (r, c) => {
    if (!c.edit || !r) return false;
    if (r.blank) return c.key === "name" && canEdit();
    if (!canEdit()) return c.key === "percent_complete" && mayProgress(r) && r.kind !== "summary";
    if (r.kind === "summary" && ["duration", "start", "finish", "percent_complete"].includes(c.key)) return false;
    return true;
  };
  const valueOf = (r, c) => (r.blank ? "" : c.raw ? c.raw(r) : String(r[c.key] ?? ""));

  const load = async () => {
    const t0 = performance.now();
    const res = await fetch(SRC, { credentials: "same-origin", headers: { accept: "application/json" } });
    if (!res.ok) { say(`Could not load the plan (${res.status}).`, true); return; }
    data = await res.json();
    dateOrder = data.project.date_order || dateOrder;
    rows = data.rows.slice();
    if (data.can_edit) rows.push({ blank: true, id: "new", name: "", kind: "task" });
    index = new Map(rows.map((r, i) => [r.id, i]));
    // The selection and an open editor follow their task, not their row.
    if (sel.id !== undefined && index.has(sel.id)) sel.r = index.get(sel.id);
    sel.r = Math.max(0, Math.min(rows.length - 1, sel.r));
    sel.id = rows[sel.r] && rows[sel.r].id;
    if (editing && index.has(editing.id)) editing.r = index.get(editing.id);
    // The view stays where it was: the redraw must not move it.
    const [left, top] = [scroller.scrollLeft, scroller.scrollTop];
    layout();
    scroller.scrollLeft = left;
    scroller.scrollTop = top;
    root.dataset.loaded = String(performance.now() - t0);
  };

  const layout = () => {
    columns();
    const days = rows.filter((r) => !r.blank).flatMap((r) => [dayOf(r.start), dayOf(r.finish)]);
    const first = days.length ? Math.min(...days.slice(0, 20000)) : dayOf(data.project.start);
    const last = days.length ? Math.max(...days.slice(0, 20000)) : first + 30;
    const base = Math.floor(first) - 7;
    origin = base - (((base + 3) % 7) + 7) % 7; // the Monday on or before a week ahead of the start
    chartDays = Math.max(60, Math.ceil(last - origin) + 28);
    const chartW = GANTT ? chartDays * ZOOMS[zoom] : 0;
    canvas.style.width = `${SHEET_W + chartW}px`;
    canvas.style.height = `${HEAD + rows.length * ROW}px`;
    scroller.setAttribute("aria-rowcount", String(rows.length + 1));
    drawHead();
    drawLines();
    drawn = [-1, -1];
    draw();
  };

  // ---- the timeline ----
  const px = (day) => SHEET_W + (day - origin) * ZOOMS[zoom];
  const ticks = (unit) => {
    const out = [];
    let d = new Date(origin * DAY_MS);
    const end = origin + chartDays;
    while (d.getTime() / DAY_MS < end) {
      const start = d.getTime() / DAY_MS;
      let next;
      let label;
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth();
      if (unit === "day") { next = new Date(d.getTime() + DAY_MS); label = String(d.getUTCDate()); }
      else if (unit === "week") { next = new Date(d.getTime() + 7 * DAY_MS); label = `${d.getUTCDate()} ${MONTHS[m]}`; }
      else if (unit === "month") { next = new Date(Date.UTC(y, m + 1, 1)); label = ZOOMS[zoom] > 5 ? `${MONTHS[m]} ${y}` : MONTHS[m]; }
      else if (unit === "quarter") { const q = Math.floor(m / 3); next = new Date(Date.UTC(y, q * 3 + 3, 1)); label = `Q${q + 1}`; }
      else { next = new Date(Date.UTC(y + 1, 0, 1)); label = String(y); }
      out.push([Math.max(start, origin), Math.min(next.getTime() / DAY_MS, end), label]);
      d = next;
    }
    return out;
  };
  const TIERS = { day: ["month", "day"], week: ["month", "week"], month: ["year", "month"], quarter: ["year", "quarter"] };

  // The page's policy allows no style attributes: elements are built and
  // styled through the DOM.
  const el = (tag, cls, style, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (style) Object.assign(e.style, style);
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  };

  const drawHead = () => {
    head.replaceChildren();
    COLS.forEach((c, i) => {
      const h = el("div", `sh-cell sh-h${i < STICKY ? " sticky" : ""}${c.num ? " num" : ""}`, { width: `${c.w}px`, left: i < STICKY ? `${c.x}px` : "" }, c.label);
      h.setAttribute("role", "columnheader");
      head.appendChild(h);
    });
    if (GANTT) {
      const time = el("div", "sh-time", { width: `${chartDays * ZOOMS[zoom]}px` });
      const [top, bottom] = TIERS[zoom];
      for (const [unit, cls] of [[top, "t1"], [bottom, "t2"]]) {
        for (const [a, b, label] of ticks(unit)) {
          const w = (b - a) * ZOOMS[zoom];
          time.appendChild(el("div", `tick ${cls}`, { left: `${px(a) - SHEET_W}px`, width: `${w}px` }, w >= label.length * 6.5 ? label : ""));
        }
      }
      head.appendChild(time);
    }
    for (const b of root.querySelectorAll("[data-zoom]")) b.setAttribute("aria-pressed", String(b.dataset.zoom === zoom));
  };

  // Today and the status date run the chart's height.
  const drawLines = () => {
    lines.replaceChildren();
    canvas.style.setProperty("--wk", `${ZOOMS[zoom] * 7}px`);
    if (!GANTT) return;
    const h = `${rows.length * ROW}px`;
    // Weekends shade one layer under every row, painted once, not per row.
    if (zoom === "day" || zoom === "week") {
      lines.appendChild(el("div", "weekend-shade", { left: `${SHEET_W}px`, top: `${HEAD}px`, height: h, width: `${chartDays * ZOOMS[zoom]}px` }));
    }
    const line = (day, cls, label) => {
      const v = el("div", `vline ${cls}`, { left: `${px(day)}px`, top: `${HEAD}px`, height: h });
      v.title = label;
      lines.appendChild(v);
    };
    const inChart = (day) => day >= origin && day <= origin + chartDays;
    const today = dayOf(`${data.project.today}T12:00:00`);
    if (inChart(today)) line(today, "today", `Today ${dateText(`${data.project.today}T12:00:00`)}`);
    const status = data.project.status_date && dayOf(data.project.status_date);
    if (status && inChart(status)) line(status, "status-date", `Status date ${dateText(data.project.status_date)}`);
  };

  // ---- rows ----
  const cellEl = (r, i, c, ci) => {
    const isSel = i === sel.r && ci === sel.c;
    const cls = ["sh-cell"];
    if (ci < STICKY) cls.push("sticky");
    if (c.num) cls.push("num");
    if (isSel) cls.push("sel");
    if (editable(r, c)) cls.push("editable");
    const cell = el("div", cls.join(" "), { width: `${c.w}px`, left: ci < STICKY ? `${c.x}px` : "" });
    cell.id = `c-${i}-${ci}`;
    cell.dataset.r = String(i);
    cell.dataset.c = String(ci);
    cell.setAttribute("role", "gridcell");
    cell.setAttribute("aria-selected", String(isSel));
    if (c.key === "name") {
      if (r.blank) {
        if (canEdit()) cell.appendChild(el("span", "muted", null, "Type a new task's name"));
      } else {
        // A click on the name selects it, as in MS Project; the arrow opens the task.
        const wrap = el("span", "name", { paddingLeft: `${(r.level - 1) * 16}px` }, `${r.kind === "milestone" ? "◆ " : ""}${r.name}`);
        const a = el("a", "open", null, "↗");
        a.href = `/tasks/${r.id}`;
        a.tabIndex = -1;
        a.title = `Open ${r.key} ${r.name}`;
        a.setAttribute("aria-label", `Open ${r.key} ${r.name}`);
        cell.append(wrap, a);
      }
    } else if (!r.blank) {
      cell.textContent = c.show ? c.show(r[c.key]) : String(r[c.key] ?? "");
      if (c.key === "start" && r.constraint && r.constraint !== "ASAP") {
        cell.classList.add("constrained");
        cell.title = r.constraint === "SNET" && r.constraint_date
          ? `Start no earlier than ${dateText(r.constraint_date)}; clear the cell to remove it`
          : `Constraint ${r.constraint}`;
      }
    }
    return cell;
  };

  const barEls = (r, chart) => {
    if (r.blank) return;
    const s = dayOf(r.start);
    const f = dayOf(r.finish);
    const left = px(s) - SHEET_W;
    const w = Math.max(2, (f - s) * ZOOMS[zoom]);
    const crit = r.critical ? " critical" : "";
    const tip = `${r.key} ${r.name}: ${dateText(r.start)} – ${dateText(r.finish)}`;
    if (r.baseline_start && r.baseline_finish) {
      const bs = dayOf(r.baseline_start);
      chart.appendChild(el("div", "baseline", { left: `${px(bs) - SHEET_W}px`, width: `${Math.max(2, (dayOf(r.baseline_finish) - bs) * ZOOMS[zoom])}px` }));
    }
    let bar;
    let label = r.resources;
    if (r.kind === "milestone") {
      bar = el("div", `milestone${crit}`, { left: `${left - 7}px` });
      label = dateText(r.start);
    } else if (r.kind === "summary") {
      bar = el("div", "bar summary", { left: `${left}px`, width: `${w}px` });
      label = "";
    } else {
      bar = el("div", `bar${crit}`, { left: `${left}px`, width: `${w}px` });
      bar.appendChild(el("span", "progress", { width: `${r.percent_complete}%` }));
      if (canEdit()) {
        const end = el("span", "bar-end");
        end.title = "Drag to change the duration";
        const dot = el("span", "bar-link");
        dot.title = "Drag onto another bar to link them";
        bar.append(end, dot);
      }
    }
    bar.dataset.task = r.id;
    bar.title = tip;
    chart.appendChild(bar);
    // Past the link dot, which sits just after the bar.
    if (label) chart.appendChild(el("span", "bar-label", { left: `${left + (r.kind === "milestone" ? 10 : w + (canEdit() ? 22 : 6))}px` }, label));
  };

  const draw = () => {
    if (!data) return;
    const top = scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((top + scroller.clientHeight) / ROW) + OVERSCAN);
    drawn = [first, last];
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const r = rows[i];
      const cls = ["srow"];
      if (r.kind === "summary") cls.push("summary");
      if (r.critical && r.kind !== "summary") cls.push("critical");
      if (r.blank) cls.push("blank");
      if (i === sel.r) cls.push("current");
      const row = el("div", cls.join(" "), { top: `${i * ROW}px`, width: canvas.style.width });
      row.setAttribute("role", "row");
      row.setAttribute("aria-rowindex", String(i + 2));
      row.dataset.task = r.id;
      COLS.forEach((c, ci) => row.appendChild(cellEl(r, i, c, ci)));
      if (GANTT) {
        const chart = el("div", "sh-chart", { width: `${chartDays * ZOOMS[zoom]}px` });
        barEls(r, chart);
        row.appendChild(chart);
      }
      frag.appendChild(row);
    }
    body.replaceChildren(frag);
    if (GANTT) drawLinks(first, last);
    scroller.setAttribute("aria-activedescendant", `c-${sel.r}-${sel.c}`);
    if (editing) placeEditor();
  };

  // Links whose either end is drawn, as MS Project draws them: out of the
  // predecessor's finish (or start), into the successor's start (or finish).
  const drawLinks = (first, last) => {
    const NS = "http://www.w3.org/2000/svg";
    linksSvg.setAttribute("width", String(chartDays * ZOOMS[zoom]));
    linksSvg.setAttribute("height", String(rows.length * ROW));
    linksSvg.style.left = `${SHEET_W}px`;
    linksSvg.style.top = `${HEAD}px`;
    const frag = document.createDocumentFragment();
    for (const l of data.links) {
      const a = index.get(l.from);
      const b = index.get(l.to);
      if (a === undefined || b === undefined) continue;
      if (Math.max(a, b) < first || Math.min(a, b) >= last) continue;
      const ra = rows[a];
      const rb = rows[b];
      const fromFinish = l.type === "FS" || l.type === "FF";
      const toStart = l.type === "FS" || l.type === "SS";
      const xa = px(dayOf(fromFinish ? ra.finish : ra.start)) - SHEET_W;
      const xb = px(dayOf(toStart ? rb.start : rb.finish)) - SHEET_W;
      const ya = a * ROW + ROW / 2;
      const yb = b * ROW + ROW / 2 + (b > a ? -7 : 7);
      const out = xa + (fromFinish ? 8 : -8);
      const d = toStart && xb >= out
        ? `M${xa},${ya} H${xb} V${yb}`
        : `M${xa},${ya} H${out} V${(a + (b > a ? 1 : 0)) * ROW} H${xb + (toStart ? -8 : 8)} V${b * ROW + ROW / 2} H${xb}`;
      const path = document.createElementNS(NS, "path");
      path.setAttribute("class", `link${l.critical ? " critical" : ""}`);
      path.setAttribute("d", d);
      path.dataset.link = l.id;
      frag.appendChild(path);
      const tip = document.createElementNS(NS, "path");
      tip.setAttribute("class", `arrow${l.critical ? " critical" : ""}`);
      const ty = toStart ? yb : b * ROW + ROW / 2;
      tip.setAttribute("d", toStart && xb >= out
        ? `M${xb - 4},${ty - (b > a ? 5 : -5)} L${xb},${ty} L${xb + 4},${ty - (b > a ? 5 : -5)} z`
        : `M${xb - (toStart ? 5 : -5)},${ty - 4} L${xb},${ty} L${xb - (toStart ? 5 : -5)},${ty + 4} z`);
      frag.appendChild(tip);
    }
    linksSvg.replaceChildren(frag);
  };

  let queued = false;
  scroller.addEventListener("scroll", () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - OVERSCAN);
      const last = Math.min(rows.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW) + OVERSCAN);
      if (first < drawn[0] || last > drawn[1] || first > drawn[0] + OVERSCAN) draw();
    });
  });

  // ---- selection and keys ----
  const select = (r, c, keepEditor) => {
    if (!rows.length) return;
    sel = { r: Math.max(0, Math.min(rows.length - 1, r)), c: Math.max(0, Math.min(COLS.length - 1, c)) };
    sel.id = rows[sel.r].id;
    const y = sel.r * ROW;
    if (y < scroller.scrollTop) scroller.scrollTop = y;
    else if (y + ROW + HEAD > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = y + ROW + HEAD - scroller.clientHeight;
    // Sideways too, past the columns that stay in view.
    const col = COLS[sel.c];
    if (sel.c >= STICKY) {
      const pinned = STICKY ? COLS[STICKY - 1].x + COLS[STICKY - 1].w : 0;
      if (col.x - pinned < scroller.scrollLeft) scroller.scrollLeft = col.x - pinned;
      else if (col.x + col.w > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = col.x + col.w - scroller.clientWidth;
    }
    if (!keepEditor) draw();
  };

  // Edits go one at a time, in the order made; an edit given as a function
  // is built when its turn comes, from the data the one before reloaded.
  let queue = Promise.resolve();
  let pending = 0;
  const send = (op, quiet) => {
    pending += 1;
    root.dataset.busy = "1";
    const run = queue.then(() => post(typeof op === "function" ? op() : op, quiet));
    queue = run.catch(() => null).then(() => {
      pending -= 1;
      if (pending === 0) root.dataset.busy = "0";
    });
    return run;
  };
  const post = async (op, quiet) => {
    if (!op) return null;
    say("Saving…");
    const t0 = performance.now();
    let res;
    try {
      res = await fetch(POST, {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": CSRF, accept: "application/json" },
        body: JSON.stringify(op),
      });
    } catch {
      say("Tandem could not be reached; the change was not saved.", true);
      return null;
    }
    const out = await res.json().catch(() => ({}));
    if (!res.ok) {
      const msg = (out.error && out.error.message) || `The change was not saved (${res.status}).`;
      if (res.status === 412) { await load(); say("Someone else changed this meanwhile; nothing was saved. The sheet now shows the latest plan: try again.", true); }
      else say(msg, true);
      return null;
    }
    await load();
    // The round trip ends when the redrawn rows reach the screen.
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    root.dataset.roundTrip = String(Math.round(performance.now() - t0));
    if (!quiet) say("Saved.");
    return out;
  };
  const current = (id) => rows[index.get(id)];

  const setUndo = (label, run) => {
    undo = { label, run };
    undoBtn.disabled = false;
    undoBtn.textContent = `Undo ${label}`;
  };
  const clearUndo = () => {
    undo = null;
    undoBtn.disabled = true;
    undoBtn.textContent = "Undo";
  };
  const runUndo = async () => {
    if (!undo) return;
    const u = undo;
    undo = null;
    undoBtn.disabled = true;
    undoBtn.textContent = "Undo";
    await u.run();
    say(`Undone: ${u.label}.`);
  };
  undoBtn.addEventListener("click", runUndo);

  const cellOp = async (r, c, value) => {
    const before = c.key === "start" ? (r.constraint === "SNET" ? (r.constraint_date || "").slice(0, 10) : "") : c.key === "finish" ? r.duration : valueOf(r, c);
    const ok = await send(() => {
      const now = current(r.id);
      if (!now) return null;
      const op = { op: "cell", task: r.id, field: c.key, value, version: now.version };
      if (c.key === "predecessors") op.seen = now.predecessors;
      return op;
    });
    if (ok) {
      const field = c.key === "finish" ? "duration" : c.key;
      setUndo(`${c.label.toLowerCase()} of ${r.key}`, () => send(() => {
        const now = current(r.id);
        if (!now) return null;
        const back = { op: "cell", task: r.id, field, value: before, version: now.version };
        if (field === "predecessors") back.seen = now.predecessors;
        return back;
      }, true));
    }
    return ok;
  };

  // ---- the cell editor ----
  const editor = document.createElement("input");
  editor.className = "sheet-editor";
  editor.setAttribute("aria-label", "Cell value");
  const placeEditor = () => {
    if (index.has(editing.id)) editing.r = index.get(editing.id);
    const cell = document.getElementById(`c-${editing.r}-${editing.c}`);
    if (!cell) return;
    if (editor.parentElement !== cell) cell.appendChild(editor);
    if (document.activeElement !== editor) editor.focus({ preventScroll: true });
  };
  const startEdit = (text) => {
    const r = rows[sel.r];
    const c = COLS[sel.c];
    if (!editable(r, c)) { if (r && c.edit && !r.blank) say("This cell cannot be changed here.", true); return; }
    editing = { r: sel.r, c: sel.c, id: r.id };
    editor.value = text ?? valueOf(r, c);
    editor.removeAttribute("aria-invalid");
    placeEditor();
    if (text === undefined) editor.select();
  };
  const stopEdit = () => {
    editing = null;
    editor.remove();
    editor.removeAttribute("aria-describedby");
    document.getElementById("cell-error")?.remove();
    scroller.focus({ preventScroll: true });
  };
  // A refused value comes back in its cell, marked, to be corrected.
  const reopen = (ed, value) => {
    if (editing || !index.has(ed.id)) return;
    select(index.get(ed.id), ed.c);
    startEdit(value);
    editor.setAttribute("aria-invalid", "true");
    // The reason shows under the cell too, where the eyes are.
    const cell = editor.parentElement;
    if (cell) {
      const tip = el("div", "cell-error", null, status.textContent);
      tip.id = "cell-error";
      editor.setAttribute("aria-describedby", tip.id);
      cell.appendChild(tip);
    }
  };
  // Saves what was typed and moves on at once; the save follows in order.
  const commit = async (then) => {
    if (!editing) return;
    const ed = editing;
    const r = current(ed.id);
    const c = COLS[ed.c];
    const value = editor.value;
    stopEdit();
    if (then) then(); else draw();
    if (!r) return;
    if (r.blank) {
      if (!value.trim()) return;
      const out = await send(() => {
        const real = rows.filter((x) => !x.blank);
        return { op: "add", after: real.length ? real[real.length - 1].id : null, name: value };
      });
      if (!out) { reopen(ed, value); return; }
      setUndo(`adding ${value}`, () => send({ op: "delete", task: out.id }, true));
      return;
    }
    if (value === valueOf(r, c)) return;
    if (!(await cellOp(r, c, value))) reopen(ed, value);
  };
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); commit(() => select(sel.r + 1, sel.c)); }
    else if (e.key === "Escape") { e.preventDefault(); say(""); stopEdit(); draw(); }
    else if (e.key === "Tab") { e.preventDefault(); commit(() => select(sel.r, sel.c + (e.shiftKey ? -1 : 1))); }
    e.stopPropagation();
  });
  editor.addEventListener("blur", () => { if (editing && !drag) setTimeout(() => { if (editing && document.activeElement !== editor) commit(); }, 0); });

  const move = async (how) => {
    const r = rows[sel.r];
    if (!r || r.blank || !canEdit()) return;
    const ok = await send(() => current(r.id) && { op: "move", task: r.id, version: current(r.id).version, how });
    if (ok) {
      const back = { indent: "outdent", outdent: "indent", up: "down", down: "up" }[how];
      const what = { indent: "indent", outdent: "outdent", up: "move up", down: "move down" }[how];
      setUndo(`${what} of ${r.key}`, async () => {
        await send(() => current(r.id) && { op: "move", task: r.id, version: current(r.id).version, how: back }, true);
      });
      select(index.get(r.id) ?? sel.r, sel.c);
    }
  };

  // MS Project's Insert key: a new task above the selected one, named at once.
  const insertAbove = async () => {
    const r = rows[sel.r];
    if (!r || !canEdit()) return;
    if (r.blank) { startEdit(""); return; }
    const out = await send({ op: "add", before: r.id, name: "New task" });
    if (!out) return;
    setUndo("adding a task", () => send({ op: "delete", task: out.id }, true));
    select(index.get(out.id) ?? sel.r, COLS.findIndex((c) => c.key === "name"));
    startEdit();
  };

  // What it takes to put a removed task back: its cells, its place (the
  // next sibling, or the one before when it was last) and the links that
  // came out of it, as its successors' predecessor cells said them.
  const snapshot = (r) => {
    const i = index.get(r.id);
    let next = null;
    for (let k = i + 1; k < rows.length && !rows[k].blank && rows[k].level >= r.level; k++) {
      if (rows[k].level === r.level) { next = rows[k]; break; }
    }
    let prev = null;
    for (let k = i - 1; k >= 0 && rows[k].level >= r.level; k--) {
      if (rows[k].level === r.level) { prev = rows[k]; break; }
    }
    const successors = data.links.filter((l) => l.from === r.id).map((l) => current(l.to)).filter(Boolean)
      .map((t) => ({ id: t.id, predecessors: t.predecessors }));
    return { r, next, prev, successors };
  };
  const restore = async (snap) => {
    const { r, next, prev } = snap;
    const place = next ? { before: next.id } : prev ? { after: prev.id } : null;
    if (!place) return;
    const out = await send({ op: "add", ...place, name: r.name, duration: r.duration }, true);
    if (!out) return;
    const cell = (field, value, extra) => send(() => {
      const now = current(out.id);
      return now && { op: "cell", task: out.id, field, value, version: now.version, ...extra };
    }, true);
    if (r.predecessors) await cell("predecessors", r.predecessors, { seen: "" });
    if (r.resources) await cell("resources", r.resources);
    if (r.constraint === "SNET" && r.constraint_date) await cell("start", r.constraint_date.slice(0, 10));
    if (r.percent_complete) await cell("percent_complete", String(r.percent_complete));
    const number = current(out.id)?.number;
    const old = new RegExp(`^${r.number}(?=[A-Za-z+-]|$)`);
    for (const t of snap.successors) {
      // The successor's cell as it was, the old number replaced by the new.
      const text = t.predecessors.split(",").map((x) => x.trim().replace(old, String(number))).join(", ");
      await send(() => {
        const now = current(t.id);
        return now && { op: "cell", task: t.id, field: "predecessors", value: text, version: now.version, seen: now.predecessors };
      }, true);
    }
  };

  const remove = async () => {
    const r = rows[sel.r];
    if (!r || r.blank || !canEdit()) return;
    const summary = r.kind === "summary";
    const what = summary ? `${r.key} ${r.name} and its subtasks` : `${r.key} ${r.name}`;
    if (!window.confirm(`Delete ${what}?${summary ? " This cannot be undone." : ""}`)) return;
    const snap = summary ? null : snapshot(r);
    if (await send({ op: "delete", task: r.id })) {
      // A task is put back with Ctrl+Z; a summary with its subtasks is not.
      if (snap && (snap.next || snap.prev)) setUndo(`deleting ${r.key}`, () => restore(snap));
      else clearUndo();
      select(sel.r, sel.c);
    }
  };

  // The keyboard alternatives to the chart's drags.
  const shift = async (r, days, end) => {
    if (!r || r.blank || r.kind === "summary" || !canEdit()) return;
    const c = COLS.find((x) => x.key === (end ? "finish" : "start"));
    const d = dayOf(end ? r.finish : r.start) + days;
    const ok = await cellOp(r, c, isoDay(d));
    const i = index.get(r.id);
    if (i !== undefined) select(i, sel.c);
    const now = current(r.id);
    if (ok && now && !end && Math.floor(dayOf(now.start)) !== Math.floor(d)) {
      say(`Saved a start no earlier than ${dateText(isoDay(d))}, but ${r.key} cannot start before ${dateText(now.start)}: its predecessors or the calendar hold it there.`, true);
    }
  };
  const linkNext = async () => {
    const r = rows[sel.r];
    const n = rows[sel.r + 1];
    if (!r || !n || r.blank || n.blank || !canEdit()) return;
    const out = await send({ op: "link", from: r.id, to: n.id });
    if (out) setUndo(`link ${r.key} → ${n.key}`, () => send({ op: "unlink", dependency: out.id }, true));
  };

  scroller.addEventListener("keydown", (e) => {
    if (editing || !data) return;
    const visible = Math.max(1, Math.floor((scroller.clientHeight - HEAD) / ROW) - 1);
    const c = COLS[sel.c];
    if (e.altKey && GANTT && (e.key === "ArrowRight" || e.key === "ArrowLeft")) {
      e.preventDefault();
      shift(rows[sel.r], e.key === "ArrowRight" ? 1 : -1, e.shiftKey);
      return;
    }
    if (e.altKey && (e.key === "l" || e.key === "L")) { e.preventDefault(); linkNext(); return; }
    if (e.altKey && e.shiftKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      move(e.key === "ArrowUp" ? "up" : "down");
      return;
    }
    if (e.key === "Insert") { e.preventDefault(); insertAbove(); return; }
    // The task's own page, from the keyboard (the row's ↗ is for the pointer).
    if (e.altKey && e.key === "Enter" && rows[sel.r] && !rows[sel.r].blank) {
      e.preventDefault();
      window.location.assign(`/tasks/${rows[sel.r].id}`);
      return;
    }
    if ((e.ctrlKey || e.metaKey) && (e.key === "z" || e.key === "Z")) { e.preventDefault(); runUndo(); return; }
    switch (e.key) {
      case "ArrowDown": select(sel.r + 1, sel.c); break;
      case "ArrowUp": select(sel.r - 1, sel.c); break;
      case "ArrowRight": select(sel.r, sel.c + 1); break;
      case "ArrowLeft": select(sel.r, sel.c - 1); break;
      case "PageDown": select(sel.r + visible, sel.c); break;
      case "PageUp": select(sel.r - visible, sel.c); break;
      case "Home": select(e.ctrlKey ? 0 : sel.r, 0); break;
      case "End": select(e.ctrlKey ? rows.length - 1 : sel.r, COLS.length - 1); break;
      case "Enter": case "F2": startEdit(); break;
      case "Delete": remove(); break;
      case "Tab":
        if (c.key !== "name" || !canEdit() || rows[sel.r]?.blank) return;
        move(e.shiftKey ? "outdent" : "indent");
        break;
      default:
        if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) { startEdit(e.key); break; }
        return;
    }
    e.preventDefault();
  });

  // ---- the pointer: cells, bars and links ----
  const snap = (dx) => Math.round(dx / ZOOMS[zoom]);
  scroller.addEventListener("pointerdown", (e) => {
    const t = e.target instanceof Element ? e.target : null;
    if (!t || t === editor) return;
    const cell = t.closest(".sh-cell[data-r]");
    if (cell && !t.closest("a")) {
      if (editing) commit();
      // A click on the cell already selected edits it, as in a spreadsheet.
      const again = +cell.dataset.r === sel.r && +cell.dataset.c === sel.c && !editing;
      select(+cell.dataset.r, +cell.dataset.c);
      scroller.focus({ preventScroll: true });
      if (again) {
        e.preventDefault();
        startEdit();
      }
      return;
    }
    const bar = t.closest(".bar, .milestone");
    if (!bar || !canEdit()) return;
    const r = rows[index.get(bar.dataset.task)];
    if (!r) return;
    const mode = t.closest(".bar-link") ? "link" : t.closest(".bar-end") ? "resize" : r.kind === "summary" ? null : "move";
    if (!mode) return;
    e.preventDefault();
    select(index.get(r.id), sel.c, true);
    drag = { mode, r, bar, x: e.clientX, y: e.clientY, moved: false, line: null, w0: parseFloat(bar.style.width) || 0 };
    bar.setPointerCapture(e.pointerId);
  });
  scroller.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (!drag.moved && Math.abs(dx) < 4 && Math.abs(e.clientY - drag.y) < 4) return;
    drag.moved = true;
    if (drag.mode === "move") drag.bar.style.transform = `translateX(${snap(dx) * ZOOMS[zoom]}px)`;
    else if (drag.mode === "resize") drag.bar.style.width = `${Math.max(4, drag.w0 + snap(dx) * ZOOMS[zoom])}px`;
    else {
      const box = canvas.getBoundingClientRect();
      const from = drag.bar.getBoundingClientRect();
      if (!drag.line) {
        drag.line = document.createElementNS("http://www.w3.org/2000/svg", "line");
        drag.line.setAttribute("class", "link-draft");
        linksSvg.appendChild(drag.line);
      }
      const sx = from.right - box.left - SHEET_W;
      const sy = from.top + from.height / 2 - box.top - HEAD;
      drag.line.setAttribute("x1", String(sx));
      drag.line.setAttribute("y1", String(sy));
      drag.line.setAttribute("x2", String(e.clientX - box.left - SHEET_W));
      drag.line.setAttribute("y2", String(e.clientY - box.top - HEAD));
    }
  });
  const endDrag = async (e) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (!d.moved) {
      if (e.type === "pointerup") window.location.href = `/tasks/${d.r.id}`;
      return;
    }
    const days = snap(e.clientX - d.x);
    if (d.mode === "move" && days !== 0) await shift(d.r, days, false);
    else if (d.mode === "resize" && days !== 0) await shift(d.r, days, true);
    else if (d.mode === "link") {
      const under = document.elementFromPoint(e.clientX, e.clientY);
      const target = under && under.closest("[data-task]");
      const to = target && target.dataset.task;
      if (to && to !== d.r.id && to !== "new") {
        const out = await send({ op: "link", from: d.r.id, to });
        if (out) setUndo(`link ${d.r.key} → ${rows[index.get(to)]?.key || ""}`, () => send({ op: "unlink", dependency: out.id }, true));
      }
    }
    draw();
  };
  scroller.addEventListener("pointerup", endDrag);
  scroller.addEventListener("pointercancel", (e) => { if (drag) { drag.moved = false; drag = null; draw(); } void e; });
  scroller.addEventListener("dblclick", (e) => {
    const cell = e.target instanceof Element && e.target.closest(".sh-cell[data-r]");
    if (cell) { select(+cell.dataset.r, +cell.dataset.c); startEdit(); }
  });

  // ---- zoom ----
  root.addEventListener("click", (e) => {
    const b = e.target instanceof Element && e.target.closest("[data-zoom]");
    if (!b) return;
    const centre = origin + (scroller.scrollLeft + scroller.clientWidth / 2 - SHEET_W) / ZOOMS[zoom];
    zoom = b.dataset.zoom;
    localStorage.setItem("tandem.zoom", zoom);
    layout();
    scroller.scrollLeft = Math.max(0, px(centre) - scroller.clientWidth / 2);
  });

  let resized = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(resized);
    resized = requestAnimationFrame(() => { if (data) layout(); });
  });
  root.dataset.busy = "0";
  // Someone changed the workspace (live.js): show the plan as it is now,
  // unless a cell is being edited or a bar dragged.
  window.addEventListener("tandem:changed", () => {
    if (!editing && !drag && root.dataset.busy === "0") load();
  });
  load().then(() => {
    if (data && !data.can_edit) {
      const help = root.querySelector(".sheet-help");
      help.textContent = data.progress.length
        ? "You can change % complete on your own tasks (the highlighted cells); the rest is the project manager's."
        : "Read only: the project manager changes the plan.";
      root.classList.add("read-only");
    }
    requestAnimationFrame(() => setTimeout(() => performance.mark("sheet-ready"), 0));
    undoBtn.hidden = !data || (!data.can_edit && !data.progress.length);
    root.dataset.ready = "true";
  });
})();
