-- wrk script for bench/warehouse.sh. WH_MODE: health | read | write.
-- read: GET /v1/credentials/bench-N/secret over WH_CREDS credentials with WH_TOKEN as bearer.
-- write: POST /v1/credentials, a new uniquely named credential per request (WH_RUN in the name).
-- done() prints one "RESULT key=value ..." line for the script to parse.
local mode = os.getenv("WH_MODE") or "read"
local token = os.getenv("WH_TOKEN") or ""
local creds = tonumber(os.getenv("WH_CREDS") or "20")
local run = os.getenv("WH_RUN") or "0"
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  n = 0
  auth = { ["Authorization"] = "Bearer " .. token }
  post = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

function request()
  n = n + 1
  if mode == "health" then
    return wrk.format("GET", "/v1/health")
  elseif mode == "read" then
    return wrk.format("GET", "/v1/credentials/bench-" .. (n % creds) .. "/secret", auth)
  end
  local body = '{"name":"w-' .. run .. '-' .. tid .. '-' .. n .. '","data":{"k":"v"}}'
  return wrk.format("POST", "/v1/credentials", post, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
