-- wrk script of both benchmarks: form POSTs to a token endpoint (bench/token_client_credentials.py, and the
-- ROPC part of bench/signin.py).
--
-- The form bodies come from the BENCH_BODIES environment variable, one per line. With one body every request
-- is the same, and wrk sends it pre-built (no Lua call per request). With several (one per bench user), each
-- wrk thread walks through them in turn, starting at its own offset, so consecutive logins are for different
-- users. A token is counted only for a 200 whose body holds an "access_token". At the end one line,
-- "BENCH_RESULT {json}", carries the counts and the latency percentiles (microseconds) that the Python
-- driver (bench/harness/wrk.py) reads.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"

local bodies = {}
for line in string.gmatch(os.getenv("BENCH_BODIES") or "", "[^\n]+") do
  table.insert(bodies, line)
end

local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  tokens = 0
  non2xx = 0
  no_token = 0
  last_bad_status = 0
  next_body = offset or 0
end

if #bodies == 1 then
  wrk.body = bodies[1]
else
  -- wrk calls a global `request` for every request only when the script defines one.
  function request()
    next_body = next_body + 1
    return wrk.format(nil, nil, nil, bodies[(next_body % #bodies) + 1])
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    last_bad_status = status
  elseif status == 200 and body ~= nil and string.find(body, '"access_token"', 1, true) then
    tokens = tokens + 1
  else
    no_token = no_token + 1
    last_bad_status = status
  end
end

function done(summary, latency, requests)
  local t, bad, empty, last = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t = t + thread:get("tokens")
    bad = bad + thread:get("non2xx")
    empty = empty + thread:get("no_token")
    local status = thread:get("last_bad_status")
    if status ~= 0 then
      last = status
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"tokens":%d,"non2xx":%d,"no_token":%d,"last_bad_status":%d,'
      .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, t, bad, empty, last,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean
  ))
end
