-- wrk script: durable creates, each a new client with a different name.
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"given_name":"Bench%d","family_name":"Load%d","date_of_birth":"1985-06-%02d"}',
    counter, math.random(1, 1000000), (counter % 28) + 1)
  return wrk.format("POST", "/api/v1/clients", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("TEND_BENCH_TOKEN"),
  }, body)
end
