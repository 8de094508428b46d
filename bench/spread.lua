-- Spread requests over visitors from several regions: each request carries an
-- X-Forwarded-For address (the bench trusts one proxy) from a different country.
-- BENCH_ADDRESS pins one address instead (a returning visitor is in one place);
-- BENCH_COOKIE and BENCH_IF_NONE_MATCH make the request a returning visitor's revalidation.
-- Every request accepts gzip, as every browser does.
local addresses = {
  "2.0.9.10",       -- South Korea
  "2.0.1.10",       -- Germany (EEA)
  "2.0.2.10",       -- United Kingdom
  "2.0.5.10",       -- California
  "2.0.6.10",       -- Texas
  "2.0.4.10",       -- Australia
  "2.0.8.10",       -- the Philippines
  "2.0.10.10",      -- Japan
  "2001:db8:1::10", -- South Korea, IPv6
  "3.3.3.3",        -- not in the database
}
local fixed = os.getenv("BENCH_ADDRESS")
local cookie = os.getenv("BENCH_COOKIE")
local etag = os.getenv("BENCH_IF_NONE_MATCH")
local i = 0
request = function()
  i = i + 1
  local headers = {
    ["X-Forwarded-For"] = fixed or addresses[(i % #addresses) + 1],
    ["Accept-Encoding"] = "gzip, deflate, br",
  }
  if cookie then headers["Cookie"] = cookie end
  if etag then headers["If-None-Match"] = etag end
  return wrk.format("GET", nil, headers)
end
