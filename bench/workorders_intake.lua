-- wrk script for bench/workorders.py: hotline operators take complaints in (createWorkOrder), each
-- from a different caller's phone, with the operators' tokens from TOKENS_FILE spread over the
-- connections. Phones are distinct per thread and request, so no two orders are duplicates.
local threads = {}
function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS_FILE")) do table.insert(tokens, line) end
  n = 0
end

local texts = {"营业执照窗口办事拖拉，材料要求前后不一", "社保窗口工作人员态度差", "不动产登记排队时间太长", "公积金提取多次往返仍未办成"}

function request()
  n = n + 1
  local phone = string.format("139%d%07d", index, n % 10000000)
  local token = tokens[(n % #tokens) + 1]
  local body = '{"center":"DL010200","kind":"complaint","channel":"phone","callerName":"测试","callerPhone":"' .. phone ..
    '","text":"' .. texts[(n % #texts) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/work-orders",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
