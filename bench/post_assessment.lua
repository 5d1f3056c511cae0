-- wrk script: durable PHQ-9 submissions (validate, score, store, audit, publish), each with
-- different answers and no Idempotency-Key, so every one is a new stored result.
--
-- Environment: TEND_BENCH_TOKEN (bearer), TEND_BENCH_CLIENTS (client ids separated by spaces;
-- each request goes to one of them at random), TEND_BENCH_DELAY_MS (optional: each connection
-- waits this long on average before each request, to run below the saturated rate),
-- TEND_BENCH_Q9_MAX (optional, 0–3: the highest answer to item 9, thoughts of self-harm; 0 makes
-- every submission one that raises no crisis alert).
-- At the end prints "responses N not201 M" (every response that is not 201 Created counts).

local clients = {}
for id in string.gmatch(os.getenv("TEND_BENCH_CLIENTS") or "", "%S+") do
  clients[#clients + 1] = id
end
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. (os.getenv("TEND_BENCH_TOKEN") or ""),
}
local threads = {}
local q9_max = tonumber(os.getenv("TEND_BENCH_Q9_MAX") or "3")

setup = function(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

init = function(args)
  math.randomseed(os.time() * 1000 + id)
  responses = 0
  not201 = 0
end

request = function()
  local parts = {}
  for q = 1, 9 do
    local top = q == 9 and q9_max or 3
    parts[q] = string.format('{"linkId":"q%d","value":%d}', q, math.random(0, top))
  end
  local body = '{"instrument":"phq-9","answers":[' .. table.concat(parts, ",") .. "]}"
  local client = clients[math.random(1, #clients)]
  return wrk.format("POST", "/api/v1/clients/" .. client .. "/assessments", headers, body)
end

response = function(status, headers, body)
  responses = responses + 1
  if status ~= 201 then
    not201 = not201 + 1
    if not201 <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end

-- Think time drawn from an exponential distribution, so that the connections do not fall
-- into step (a fixed delay makes them all send at once after each commit) and the arrivals
-- are close to a Poisson process.
local delay_ms = tonumber(os.getenv("TEND_BENCH_DELAY_MS") or "0")
if delay_ms > 0 then
  delay = function() return math.floor(-delay_ms * math.log(1 - math.random()) + 0.5) end
end

done = function(summary, latency, requests)
  local total, bad = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("responses")
    bad = bad + t:get("not201")
  end
  io.write(string.format("responses %d not201 %d\n", total, bad))
end
