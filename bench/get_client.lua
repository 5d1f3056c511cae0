-- wrk script: authenticated, audited reads of one client record.
request = function()
  return wrk.format("GET", "/api/v1/clients/" .. os.getenv("TEND_BENCH_CLIENT"), {
    ["Authorization"] = "Bearer " .. os.getenv("TEND_BENCH_TOKEN"),
  })
end
