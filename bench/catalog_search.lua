-- wrk script: the public search page with a rotating set of Chinese queries.
local words = {"食品", "身份证", "营业执照", "排污许可", "道路运输", "药品零售", "社保", "不动产", "旅行社", "民办学校",
               "建设工程登记", "养犬", "户外广告", "燃气", "危险化学品", "营业执照变更", "申请书", "二类医疗器械", "殡葬", "物业服务"}
local paths = {}
for i, w in ipairs(words) do
  paths[i] = "/search?center=DL010200&q=" .. w:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f rps=%.0f errors=%d\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
