-- POST /api/coupons/redeem of ONE coupon (BENCH_CODE) with a new user and order for every request: a flash sale.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
require("report").install({ track_status = true })

local code = os.getenv("BENCH_CODE") or error("BENCH_CODE is not set")
local key = os.getenv("BENCH_API_KEY") or error("BENCH_API_KEY is not set")
local headers
local n = 0

function init(args)
  headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = key }
end

function request()
  n = n + 1
  local id = string.format("%d-%d-%d", thread_id or 0, os.time(), n)
  return wrk.format("POST", "/api/coupons/redeem", headers,
    '{"code":"' .. code .. '","userId":"u-' .. id .. '","orderId":"o-' .. id .. '","orderValue":50}')
end
