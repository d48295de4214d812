-- Mixed traffic for wrk: nine reads (the big project's schedule, the demo
-- project's dashboard, its task list) for one write (a new risk with a
-- unique title, in turn in the projects of LOAD_WRITE: the big one and
-- three small ones; risks are not plan, so the schedule stays cached).
-- Counts what the server acknowledged, per thread.
-- ONLY=update instead sends task updates (a new priority, with the
-- version last seen), each thread round the tasks of its own share of
-- LOAD_TASKS (lines of "id version"), so no two updates race for a task.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("LOAD_TOKEN")
  big = os.getenv("LOAD_BIG")
  demo = os.getenv("LOAD_DEMO")
  targets = {}
  for t in string.gmatch(os.getenv("LOAD_WRITE") or big, "[^,]+") do table.insert(targets, t) end
  -- ONLY=schedule|dashboard|tasks|write sends one kind alone.
  only = os.getenv("ONLY") or ""
  n = 0
  acked = 0
  failed = 0
  writes = 0
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  -- Like every browser: the schedule comes gzipped when accepted.
  if os.getenv("GZIP") ~= "0" then headers["Accept-Encoding"] = "gzip" end
  tasks, versions = {}, {}
  if only == "update" then
    local i = 0
    for line in io.lines(os.getenv("LOAD_TASKS")) do
      local t, v = line:match("(%d+) (%d+)")
      if i % 2 == id then
        table.insert(tasks, t)
        versions[t] = tonumber(v)
      end
      i = i + 1
    end
  end
end

function request()
  n = n + 1
  local k = n % 10
  if only == "update" then
    local t = tasks[(n % #tasks) + 1]
    writes = writes + 1
    local body = string.format('{"priority":%d,"version":%d}', n % 1000, versions[t])
    return wrk.format("PATCH", "/api/v1/tasks/" .. t, headers, body)
  end
  if only == "schedule" then k = 1
  elseif only == "dashboard" then k = 6 elseif only == "tasks" then k = 9
  elseif only == "write" then k = 0 end
  if k == 0 then
    writes = writes + 1
    local body = string.format('{"title":"load %d-%d","probability":2,"impact":3}', id, n)
    local target = targets[(writes % #targets) + 1]
    return wrk.format("POST", "/api/v1/projects/" .. target .. "/risks", headers, body)
  elseif k <= 5 then
    return wrk.format("GET", "/api/v1/projects/" .. big .. "/schedule", headers)
  elseif k <= 8 then
    return wrk.format("GET", "/api/v1/dashboards/project/" .. demo, headers)
  else
    return wrk.format("GET", "/api/v1/projects/" .. demo .. "/tasks", headers)
  end
end

-- Reads alone need no callback (wrk counts failed statuses itself), and
-- without one wrk does not copy each body into Lua.
local reads_only = ({schedule = true, dashboard = true, tasks = true})[os.getenv("ONLY") or ""]

local function on_response(status, headers, body)
  if only == "update" and status == 200 then
    local t = body:match('"id":"(%d+)"')
    local v = body:match('"version":(%d+)')
    if t and v then versions[t] = tonumber(v) end
    acked = acked + 1
  elseif status == 201 then
    acked = acked + 1
  elseif status >= 300 then
    failed = failed + 1
  end
end

if not reads_only then response = on_response end

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
