-- wrk -t2 -c64 -d30s -s bench/wrk/fcfs.lua http://127.0.0.1:8081 -- 11 bench-abc123 300000
-- POSTs issue-fcfs for coupon <arg1> with distinct users <arg2>-0 .. <arg2>-(<arg3>-1). wrk counts non-2xx/3xx as
-- errors, so 409 SOLD_OUT / ALREADY_REQUESTED show up there: read them as rejections, not failures.
local coupon, prefix, users, counter = "11", "demo-user", 1000, 0

function init(args)
  coupon = args[1] or coupon
  prefix = args[2] or prefix
  users = tonumber(args[3] or users)
  counter = math.random(0, users)
end

function request()
  counter = (counter + 1) % users
  return wrk.format("POST", "/api/coupons/" .. coupon .. "/issue-fcfs/" .. prefix .. "-" .. counter)
end

function done(summary, latency)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, %d requests, %d timeouts/connect errors\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.timeout + summary.errors.connect))
end
