-- Shared by build/bench's wrk scripts: per-thread status counts and one JSON line at the end.
--
-- wrk runs each thread in its own Lua state, so a global in response() is per thread. setup(thread) runs in
-- the main state before the threads start and keeps their handles; done() runs in the main state after they
-- stop and collects each thread's counts with thread:get(). The JSON line starts with "BENCH_JSON " so
-- build/bench can pick it out of wrk's own report.
local M = {}

local threads = {}

-- Status counts of this thread (string keys: wrk copies tables between states key by key).
statuses = {}

local function json_escape(s)
  return (tostring(s):gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end))
end

local function encode(v)
  local t = type(v)
  if t == "table" then
    local parts = {}
    for k, x in pairs(v) do
      parts[#parts + 1] = '"' .. json_escape(k) .. '":' .. encode(x)
    end
    table.sort(parts)
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%d", v) end
    return string.format("%.6g", v)
  elseif t == "boolean" then
    return tostring(v)
  elseif v == nil then
    return "null"
  end
  return '"' .. json_escape(v) .. '"'
end

-- Installs setup/done (and response when track_status) as wrk's global callbacks.
--   opts.track_status: count every response's status (costs wrk some CPU; used for claims, where 201, 409
--   and 503 mean different things). Without it only wrk's own count of status >= 400 is known.
function M.install(opts)
  opts = opts or {}
  local id = 0

  function setup(thread)
    id = id + 1
    thread:set("thread_id", id)
    threads[#threads + 1] = thread
  end

  if opts.track_status then
    function response(status, headers, body)
      local key = tostring(status)
      statuses[key] = (statuses[key] or 0) + 1
    end
  end

  function done(summary, latency, requests)
    local counts = {}
    if opts.track_status then
      for _, thread in ipairs(threads) do
        local theirs = thread:get("statuses") or {}
        for k, n in pairs(theirs) do
          counts[k] = (counts[k] or 0) + n
        end
      end
    end
    local seconds = summary.duration / 1e6
    local ms = function(us) return us / 1000 end
    local out = {
      requests = summary.requests,
      duration_s = seconds,
      rps = summary.requests / seconds,
      bytes = summary.bytes,
      status = counts,
      status_tracked = opts.track_status and true or false,
      errors = {
        connect = summary.errors.connect,
        read = summary.errors.read,
        write = summary.errors.write,
        timeout = summary.errors.timeout,
        status = summary.errors.status, -- responses with status >= 400 (wrk's own count)
      },
      latency_ms = {
        p50 = ms(latency:percentile(50)),
        p90 = ms(latency:percentile(90)),
        p95 = ms(latency:percentile(95)),
        p99 = ms(latency:percentile(99)),
        p999 = ms(latency:percentile(99.9)),
        max = ms(latency.max),
        mean = ms(latency.mean),
      },
      threads = #threads,
    }
    io.write("BENCH_JSON " .. encode(out) .. "\n")
  end
end

return M
