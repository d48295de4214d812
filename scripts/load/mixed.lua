-- Mixed traffic for wrk: nine reads (the big project's schedule, the demo
-- project's dashboard, its task list) for one write (a new risk with a
-- unique title). Counts what the server acknowledged, per thread.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("LOAD_TOKEN")
  big = os.getenv("LOAD_BIG")
  demo = os.getenv("LOAD_DEMO")
  n = 0
  acked = 0
  failed = 0
  writes = 0
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

function request()
  n = n + 1
  local k = n % 10
  if k == 0 then
    writes = writes + 1
    local body = string.format('{"title":"load %d-%d","probability":2,"impact":3}', id, n)
    return wrk.format("POST", "/api/v1/projects/" .. demo .. "/risks", headers, body)
  elseif k <= 5 then
    return wrk.format("GET", "/api/v1/projects/" .. big .. "/schedule", headers)
  elseif k <= 8 then
    return wrk.format("GET", "/api/v1/dashboards/project/" .. demo, headers)
  else
    return wrk.format("GET", "/api/v1/projects/" .. demo .. "/tasks", headers)
  end
end

function response(status, headers, body)
  if status == 201 then
    acked = acked + 1
  elseif status >= 300 then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local a, f = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("acked")
    f = f + t:get("failed")
  end
  io.write(string.format("LOAD acked=%d failed=%d requests=%d errors=%d\n", a, f, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("LOAD p%d=%.2fms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("LOAD rps=%.0f\n", summary.requests / (summary.duration / 1e6)))
end
