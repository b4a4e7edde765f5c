-- The one wrk script of the benchmark. bench/lib/wrk.mjs configures it through the environment,
-- so a new operation is a table entry in bench/ops.mjs, not a new script:
--   BENCH_METHOD         GET, POST, PATCH, …
--   BENCH_HEADERS        "Name: value" lines separated by newlines (Cookie, X-CSRF-Token, …)
--   BENCH_BODY           a fixed request body
--   BENCH_BODY_TEMPLATE  a body in which every "{n}" becomes a value unique to this request
--                        (thread number and a counter), so every write really changes something
--   BENCH_REQUESTS_FILE  a file of requests, one a line: "PATH" or "PATH<TAB>COOKIE" (the cookie
--                        replaces the Cookie header); every request picks one line at random,
--                        so a load is spread over many keys (phones, ids, queries, sessions)
--                        instead of hitting one cached row
--   BENCH_SEED           seeds the random pick (each wrk thread adds its number)
-- A fixed request is built once and reused (wrk's fast path); a template or a requests file
-- defines request(), which costs the client a little Lua per request. The requests of a file
-- are formatted once, in init(), so that cost is one table lookup and one random number.
-- done() prints one line "BENCH_JSON {...}" with the figures, read by bench/lib/wrk.mjs.

wrk.method = os.getenv("BENCH_METHOD") or "GET"

local headers = os.getenv("BENCH_HEADERS") or ""
for line in headers:gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then wrk.body = body end

local template = os.getenv("BENCH_BODY_TEMPLATE") or ""

local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end

local requests_file = os.getenv("BENCH_REQUESTS_FILE") or ""
local prepared, n_prepared = {}, 0

if requests_file ~= "" then
  function init(args)
    math.randomseed((tonumber(os.getenv("BENCH_SEED") or "1") or 1) * 1000 + (tid or 0))
    local f = assert(io.open(requests_file, "r"))
    for line in f:lines() do
      local path, cookie = line:match("^([^\t]+)\t(.*)$")
      if not path then path = line end
      if path ~= "" then
        local h = {}
        for k, v in pairs(wrk.headers) do h[k] = v end
        if cookie and cookie ~= "" then h["Cookie"] = cookie end
        n_prepared = n_prepared + 1
        prepared[n_prepared] = wrk.format(nil, path, h, (body ~= "" and body) or nil)
      end
    end
    f:close()
    assert(n_prepared > 0, "no requests in " .. requests_file)
  end
  function request()
    return prepared[math.random(n_prepared)]
  end
elseif template ~= "" then
  local counter = 0
  function request()
    counter = counter + 1
    local unique = tostring(tid) .. "-" .. tostring(counter)
    return wrk.format(nil, nil, nil, (template:gsub("{n}", unique)))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
