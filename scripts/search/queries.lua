-- Search queries for scripts/search-bench.sh, drawn at random from the
-- words fill.py used: two- and three-letter prefixes (the first letters
-- typed into the palette), whole words, two and three words, exact keys.
local words = {}
local token = os.getenv("TOKEN")

local function load()
  local path = os.getenv("WORDS")
  if path then
    for line in io.lines(path) do words[#words + 1] = line end
  end
  if #words == 0 then
    words = { "checkout", "payment", "card", "vault", "order", "invoice", "refund", "customer", "report", "export" }
  end
end

local function pick() return words[math.random(#words)] end

local shapes = {
  function() return string.sub(pick(), 1, 2) end,
  function() return string.sub(pick(), 1, 3) end,
  function() return pick() end,
  function() return pick() .. "%20" .. pick() end,
  function() return pick() .. "%20" .. string.sub(pick(), 1, 3) .. "%20" .. pick() end,
  function() return "BIG-" .. math.random(40000) end,
}

function setup(thread) math.randomseed(os.time() + math.random(1000)) end

function init(args)
  load()
  math.randomseed(os.time() + #args)
end

function request()
  local q = shapes[math.random(#shapes)]()
  return wrk.format("GET", "/api/v1/search?q=" .. q, { ["Authorization"] = "Bearer " .. token })
end
