-- Spread requests over visitors from several regions: each request carries an
-- X-Forwarded-For address (the bench trusts one proxy) from a different country.
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
local i = 0
request = function()
  i = i + 1
  local headers = { ["X-Forwarded-For"] = addresses[(i % #addresses) + 1] }
  return wrk.format("GET", nil, headers)
end
