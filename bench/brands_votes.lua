-- wrk script for bench/brands.py: each request is the next prepared vote of VOTES_FILE
-- ("phone code level address" per line), split between wrk's threads; the answers are counted by
-- status so that the script can compare them with the rows in the database.
local threads = {}
function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local all = {}
  for line in io.lines(os.getenv("VOTES_FILE")) do table.insert(all, line) end
  local n = tonumber(os.getenv("WRK_THREADS") or "2")
  votes = {}
  for i = index + 1, #all, n do table.insert(votes, all[i]) end
  nxt = 1
  created, conflict, other = 0, 0, 0
  path = "/api/v1/brand-surveys/" .. os.getenv("SURVEY") .. "/votes"
end

function request()
  local line = votes[nxt]
  nxt = nxt + 1
  if line == nil then
    -- Out of votes: a cheap request now and then (see delay) until every vote of this thread is
    -- answered; stopping here would drop the answers still in flight uncounted.
    return wrk.format("GET", "/healthz")
  end
  local phone, code, level, addr = line:match("(%S+) (%S+) (%S+) (%S+)")
  local body = '{"satisfaction":' .. level .. ',"phone":"' .. phone .. '","smsCode":"' .. code .. '","via":"qr"}'
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["X-Forwarded-For"] = addr}, body)
end

-- Once out of votes a connection waits half a second between its cheap requests, so that the
-- wait for the last answers costs the server next to nothing.
function delay()
  if nxt > #votes then return 500 end
  return 0
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 409 then conflict = conflict + 1
  elseif status ~= 200 then other = other + 1 end
  if nxt > #votes then
    finished = finished or os.time()
    -- An answer lost to a socket error never comes: give up on it after 3 s (the python side
    -- reports wrk's socket errors and the answers it lost).
    if created + conflict + other >= #votes or os.time() - finished >= 3 then wrk.thread:stop() end
  end
end

function done(summary, latency, requests)
  local c, k, o = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    k = k + t:get("conflict")
    o = o + t:get("other")
  end
  io.write(string.format("STATUS created=%d conflict=%d other=%d\n", c, k, o))
  io.write(string.format("LATENCY p50=%.2f p95=%.2f p99=%.2f\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
