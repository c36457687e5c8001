-- GET of one fixed path (the URL given to wrk): the cached read and its bare Kestrel reference.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
require("report").install({ track_status = false })
