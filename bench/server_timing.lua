-- wrk script for bench/api.py: cycles through the request paths in a file, sends the API key, and reads
-- each answer's Server-Timing (the API's own milliseconds) and X-Cache. Prints one JSON line at the end.
--   wrk -t1 -c16 -d10s --timeout 60s -s bench/server_timing.lua URL -- PATHS_FILE API_KEY
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths, key, next_path = {}, args[2], 0
  for line in io.lines(args[1]) do
    table.insert(paths, line)
  end
  own, hits, errors = {}, 0, 0
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], { ["X-API-Key"] = key })
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    return
  end
  local timing = headers["server-timing"] or headers["Server-Timing"] or ""
  local app = timing:match("app;dur=([%d%.]+)")
  if app then
    table.insert(own, tonumber(app))
  end
  if (headers["x-cache"] or headers["X-Cache"]) == "hit" then
    hits = hits + 1
  end
end

function done(summary, latency, requests)
  local all_own, all_hits, all_errors = {}, 0, 0
  for _, thread in ipairs(threads) do
    for _, value in ipairs(thread:get("own")) do
      table.insert(all_own, string.format("%.3f", value))
    end
    all_hits = all_hits + thread:get("hits")
    all_errors = all_errors + thread:get("errors")
  end
  io.write(string.format(
    '{"requests": %d, "p50": %.3f, "p95": %.3f, "hits": %d, "errors": %d, "timeouts": %d, "own": [%s]}\n',
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000, all_hits,
    all_errors, summary.errors.timeout, table.concat(all_own, ",")
  ))
end
