-- POST /api/coupons/validate with seed 003's realistic mix (build/seed's data set): a random user of BENCH_USERS and
-- a random generated coupon (user coupons SEED-U-*, time coupons SEED-T-*: active, expired and inactive alike, so
-- every reason shows), one request in ten for a code that does not exist, order values 5-600. The requests are built
-- once per thread (2,000 of them) and drawn at random, so wrk spends its time sending, not formatting.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
require("report").install({ track_status = true })

local users = tonumber(os.getenv("BENCH_USERS") or "") or error("BENCH_USERS is not set")
local coupons = tonumber(os.getenv("BENCH_COUPONS") or "") or error("BENCH_COUPONS is not set")
local key = os.getenv("BENCH_API_KEY") or error("BENCH_API_KEY is not set")
local requests = {}
local count = 2000

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = key }
  local half = math.floor(coupons / 2)
  for i = 1, count do
    local code
    local r = math.random(10)
    if r == 1 then
      code = string.format("NOPE-%05d", math.random(99999))
    elseif r <= 5 then
      code = string.format("SEED-U-%05d", math.random(half))
    else
      code = string.format("SEED-T-%05d", math.random(coupons - half))
    end
    local body = string.format('{"code":"%s","userId":"user_%07d","orderId":"bench-%d-%d","orderValue":%d.%02d}',
      code, math.random(users), thread_id or 0, i, math.random(5, 600), math.random(0, 99))
    requests[i] = wrk.format("POST", "/api/coupons/validate", headers, body)
  end
end

function request()
  return requests[math.random(count)]
end
