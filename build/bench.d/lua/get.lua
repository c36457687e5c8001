-- GET of one fixed path (the URL given to wrk): the cached read (with or without a client key) and its bare
-- Kestrel reference.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
require("report").install({ track_status = false })

-- With BENCH_API_KEY, every request sends it (the cached GET with a client key: the key check is cached too).
local key = os.getenv("BENCH_API_KEY")
if key and key ~= "" then
  wrk.headers["X-Api-Key"] = key
end
