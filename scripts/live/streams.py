"""Opens N event streams to a demo server and measures its memory and
fan-out; for scripts/live-streams.sh."""
import asyncio
import json
import sys
import time
import urllib.request

port, pid, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
base = f"http://127.0.0.1:{port}/api/v1"


def rss_mib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def call(method, path, body=None, headers=None):
    req = urllib.request.Request(base + path, json.dumps(body).encode() if body is not None else None,
                                 {"content-type": "application/json", **(headers or {})}, method=method)
    return urllib.request.urlopen(req)


r = call("POST", "/auth/login", {"email": "pm@demo.example", "password": "demo-pm-2026"})
cookie = r.headers["set-cookie"].split(";")[0]
csrf = json.load(r)["csrf_token"]
token = json.load(call("POST", "/tokens", {"name": "streams"}, {"cookie": cookie, "x-csrf-token": csrf}))["token"]
auth = {"authorization": f"Bearer {token}"}
listed = json.load(call("GET", "/workspaces", headers=auth))
first = (listed["items"] if isinstance(listed, dict) else listed)[0]
ws = first["workspace"]["id"] if "workspace" in first else first["id"]
projects = json.load(call("GET", f"/workspaces/{ws}/projects", headers=auth))["items"]
task = json.load(call("GET", f"/projects/{projects[0]['id']}/tasks", headers=auth))["items"][-1]


async def open_stream():
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /api/v1/workspaces/{ws}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0], head
    return reader, writer


async def heard(reader, deadline):
    buf = b""
    while time.monotonic() < deadline:
        try:
            chunk = await asyncio.wait_for(reader.read(4096), deadline - time.monotonic())
        except asyncio.TimeoutError:
            return None
        buf += chunk
        if b"event: task" in buf:
            return time.monotonic()
    return None


async def main():
    before = rss_mib()
    streams = []
    for i in range(0, n, 100):
        streams += await asyncio.gather(*(open_stream() for _ in range(min(100, n - i))))
    await asyncio.sleep(1.0)
    after = rss_mib()
    start = time.monotonic()
    waits = [asyncio.create_task(heard(r, start + 5.0)) for r, _ in streams]
    await asyncio.to_thread(call, "PATCH", f"/tasks/{task['id']}", {"name": task["name"] + " (live)",
                                                                      "version": task["version"]}, auth)
    times = [t for t in await asyncio.gather(*waits) if t is not None]
    last = max(times) - start if times else float("nan")
    print(f"live-streams: {n} streams open; server memory {before:.1f} MiB before, {after:.1f} MiB with them "
          f"(+{after - before:.1f} MiB, {(after - before) * 1024 / n:.1f} KiB a stream); one rename heard by "
          f"{len(times)} of {n} within {last * 1000:.0f} ms")
    for _, w in streams:
        w.close()


asyncio.run(main())
