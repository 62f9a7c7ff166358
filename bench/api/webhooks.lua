-- wrk: sends the webhooks webhook-bodies.mjs wrote (authorization<TAB>body per line) in file order for the
-- run's duration, wrapping around if it gets to the end. Every copy of an event goes to the same thread, so
-- the threads can count the distinct events they sent; bench/api.sh compares that with the rows stored.
-- Usage: wrk -t2 -c32 -d10s -s webhooks.lua URL -- FILE THREADS
local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  webhooks, events = {}, {}
  for line in io.lines(file) do
    local authorization, body = line:match("^([^\t]*)\t(.*)$")
    local event = tonumber(body:match('"id":"EV_bench_%d+_(%d+)"'))
    if event % nthreads == id then
      table.insert(webhooks, wrk.format("POST", nil,
        { ["Content-Type"] = "application/webhook+json", ["Authorization"] = authorization }, body))
      table.insert(events, event)
    end
  end
  sent, seen, distinct, failed = 0, {}, 0, 0
end

function request()
  local index = (sent % #webhooks) + 1
  sent = sent + 1
  if not seen[events[index]] then
    seen[events[index]] = true
    distinct = distinct + 1
  end
  return webhooks[index]
end

function response(status)
  if status ~= 200 then failed = failed + 1 end
end

function done(summary, latency)
  local sent_distinct, not_ok = 0, 0
  for _, thread in ipairs(threads) do
    sent_distinct = sent_distinct + thread:get("distinct")
    not_ok = not_ok + thread:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("webhooks: %d answered in %.2f s = %.0f events/s, p99 %.1f ms, %d not 200, %d distinct events sent\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(99) / 1000, not_ok, sent_distinct))
end
