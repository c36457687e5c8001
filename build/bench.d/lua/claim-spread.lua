-- POST /api/auth/code-login with a code drawn at random from BENCH_PREFIX-0001 .. BENCH_PREFIX-<BENCH_CODES>
-- for every request: claims spread over many codes.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
require("report").install({ track_status = true })

local prefix = os.getenv("BENCH_PREFIX") or error("BENCH_PREFIX is not set")
local count = tonumber(os.getenv("BENCH_CODES") or "") or error("BENCH_CODES is not set")
local requests = {}

function init(args)
  -- thread_id is set by setup() in report.lua; seed each thread differently.
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  local headers = { ["Content-Type"] = "application/json" }
  for i = 1, count do
    local body = string.format('{"code":"%s-%04d"}', prefix, i)
    requests[i] = wrk.format("POST", "/api/auth/code-login", headers, body)
  end
end

function request()
  return requests[math.random(count)]
end
