-- wrk script: guide pages of random items among the 10,000 imported by catalog.sh.
local n = 0
request = function()
  n = n + 1
  local prefix = (n % 2 == 0) and "BA" or "BB"
  return wrk.format("GET", string.format("/guide/%s-%05d", prefix, math.random(1, 5000)))
end
done = function(summary, latency, requests)
  io.write(string.format("p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f rps=%.0f errors=%d\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
