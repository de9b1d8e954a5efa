-- wrk -s bench/percentiles.lua URL: prints p50 ... p99.99 and max on one line at the end of a run
-- (wrk --latency stops at p99). Used for the HTTP latency study in docs/BENCHMARKS.md.
done = function(summary, latency, requests)
  for _, p in pairs({50, 90, 99, 99.5, 99.9, 99.99}) do
    io.write(string.format("p%g=%.2fms ", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max=%.2fms n=%d\n", latency.max / 1000, summary.requests))
end
