#!/usr/bin/env python3
"""Measures the task sheet and the Gantt chart of one project in Chromium.

    measure.py BASE PROJECT_ID EMAIL PASSWORD

Drives Chromium through chromedriver's WebDriver protocol (plain HTTP, no
client library) and reads the browser's own Performance API: the server's
time for the page and for its data (request start to first byte), the time
until the sheet has drawn, the frame times while scrolling through the
rows, and the round trip of an edit typed into a duration cell (save,
reschedule, reload, redraw). Prints one JSON object.
"""
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

BASE, PROJECT, EMAIL, PASSWORD = sys.argv[1:5]
CHROMIUM = "/usr/bin/chromium"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
DRIVER = subprocess.Popen(["chromedriver", f"--port={PORT}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["value"]


for _ in range(100):
    try:
        call("GET", "/status")
        break
    except OSError:
        time.sleep(0.1)

caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
    "binary": CHROMIUM, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,900"]}}}}
SID = call("POST", "/session", caps)["sessionId"]
S = f"/session/{SID}"


def js(script, *args):
    return call("POST", f"{S}/execute/sync", {"script": script, "args": list(args)})


def js_async(script, *args):
    return call("POST", f"{S}/execute/async", {"script": script, "args": list(args)})


def goto(path):
    call("POST", f"{S}/url", {"url": BASE + path})


def keys(text):
    actions = []
    for ch in text:
        actions += [{"type": "keyDown", "value": ch}, {"type": "keyUp", "value": ch}]
    call("POST", f"{S}/actions", {"actions": [{"type": "key", "id": "kb", "actions": actions}]})


WAIT_READY = """
const done = arguments[arguments.length - 1];
const t0 = performance.now();
(function poll() {
  const s = document.querySelector('#sheet');
  const mark = performance.getEntriesByName('sheet-ready')[0];
  if (s && s.dataset.ready === 'true' && s.dataset.busy === '0' && mark) return done(true);
  if (performance.now() - t0 > 60000) return done(false);
  setTimeout(poll, 20);
})();
"""

TIMINGS = """
const nav = performance.getEntriesByType('navigation')[0];
const src = new URL(document.querySelector('#sheet').dataset.src, location.href).href;
const data = performance.getEntriesByName(src)[0];
const ready = performance.getEntriesByName('sheet-ready')[0].startTime;
return {
  html_server_ms: nav.responseStart - nav.requestStart,
  html_bytes: nav.encodedBodySize,
  data_server_ms: data.responseStart - data.requestStart,
  data_download_ms: data.responseEnd - data.responseStart,
  data_bytes: data.encodedBodySize,
  data_decoded_bytes: data.decodedBodySize,
  ready_ms: ready,
  rows_in_dom: document.querySelectorAll('#sheet .srow').length,
};
"""

SCROLL = """
const done = arguments[arguments.length - 1];
const box = document.querySelector('#sheet .sheet-scroll');
const frames = [];
let last = performance.now();
let n = 0;
function step(now) {
  frames.push(now - last);
  last = now;
  if (n++ >= 180) return done(frames.slice(1));
  box.scrollTop += 400;
  requestAnimationFrame(step);
}
requestAnimationFrame((t) => { last = t; requestAnimationFrame(step); });
"""

WAIT_IDLE = """
const done = arguments[arguments.length - 1];
const t0 = performance.now();
(function poll() {
  const s = document.querySelector('#sheet');
  if (s.dataset.busy === '0') return done(Number(s.dataset.roundTrip || -1));
  if (performance.now() - t0 > 60000) return done(-1);
  setTimeout(poll, 10);
})();
"""


def page(name):
    goto(f"/projects/{PROJECT}/{name}")
    if not js_async(WAIT_READY):
        raise SystemExit(f"the {name} page never became ready")
    t = js(TIMINGS)
    t["browser_ms"] = t["ready_ms"] - t["html_server_ms"] - t["data_server_ms"]
    return t


def scroll():
    frames = js_async(SCROLL)
    frames.sort()
    return {
        "frames": len(frames),
        "p50_ms": round(statistics.median(frames), 1),
        "p95_ms": round(frames[int(len(frames) * 0.95) - 1], 1),
        "max_ms": round(frames[-1], 1),
        "over_50ms": sum(1 for f in frames if f > 50),
        "rows_in_dom": js("return document.querySelectorAll('#sheet .srow').length"),
    }


def edits(count=7):
    """Types a duration into task rows near the top, one after another."""
    js("document.querySelector('#sheet .sheet-scroll').scrollTop = 0")
    trips = []
    for i in range(count):
        target = js("""
          const rows = [...document.querySelectorAll('#sheet .srow:not(.summary):not(.blank)')];
          const r = rows[arguments[0] % Math.min(rows.length, 10)];
          const cell = r.querySelector('.sh-cell[data-c="0"]');
          cell.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true}));
          return r.dataset.task;""", i)
        keys("\ue014\ue014\ue014" + ("3d" if i % 2 else "4d") + "\ue007")
        trips.append(js_async(WAIT_IDLE))
        del target
    trips.sort()
    return {"edits": count, "median_ms": trips[len(trips) // 2], "max_ms": trips[-1]}


try:
    goto("/login")
    js("""document.querySelector('input[name=email]').value = arguments[0];
          document.querySelector('input[name=password]').value = arguments[1];
          document.querySelector('form').submit();""", EMAIL, PASSWORD)
    time.sleep(1.0)
    out = {"tasks_cold": page("tasks"), "tasks_warm": page("tasks")}
    out["tasks_scroll"] = scroll()
    out["tasks_edit"] = edits()
    out["gantt_warm"] = page("gantt")
    out["gantt_scroll"] = scroll()
    print(json.dumps(out, indent=1))
finally:
    try:
        call("DELETE", S)
    finally:
        DRIVER.terminate()
