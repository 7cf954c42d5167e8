-- wrk script for bench/ratings.py: each connection rates the next prepared ticket (its id and
-- follow token from TICKETS_FILE), split between wrk's threads so that no ticket is rated twice.
local threads = {}
function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local all = {}
  for line in io.lines(os.getenv("TICKETS_FILE")) do table.insert(all, line) end
  tickets = {}
  for i = index + 1, #all, 2 do table.insert(tickets, all[i]) end
  next_ticket = 1
end

function request()
  local line = tickets[next_ticket]
  next_ticket = next_ticket + 1
  if line == nil then
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  local id, token = line:match("(%S+) (%S+)")
  local body = '{"level":5,"tags":["warm"],"token":"' .. token .. '"}'
  return wrk.format("POST", "/api/v1/tickets/" .. id .. "/rating", {["Content-Type"] = "application/json"}, body)
end
