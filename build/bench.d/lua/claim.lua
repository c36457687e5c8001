-- POST /api/auth/code-login {"code": BENCH_CODE} on every connection: one hot code.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
require("report").install({ track_status = true })

local code = os.getenv("BENCH_CODE") or error("BENCH_CODE is not set")
wrk.method = "POST"
wrk.path = "/api/auth/code-login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"code":"' .. code .. '"}'
