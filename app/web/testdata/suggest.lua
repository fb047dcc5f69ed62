-- Varied suggestion queries: 3 to 6 words of the benchmark forum's vocabulary,
-- plus one made-up word in every fourth query (a typo or an unknown word).
local words = {"router","wifi","internet","connection","slow","drops","evening","password","reset",
 "login","account","invoice","billing","charge","refund","roaming","abroad","sim","esim","phone","contract","cancel",
 "upgrade","tariff","data","volume","speed","fibre","dsl","cable","modem","firmware","update","error","message",
 "signal","coverage","mobile","network","outage","hotline","callback","appointment","technician","bill",
 "payment","direct","debit","address","change","move","home","landline","number","porting","voicemail"}
math.randomseed(42)
local paths = {}
for i = 1, 2000 do
  local n = 3 + math.random(0, 3)
  local q = {}
  for j = 1, n do q[j] = words[math.random(#words)] end
  if i % 4 == 0 then q[n] = "routre" end
  paths[i] = "/suggest?q=" .. table.concat(q, "+")
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = "application/json"})
end
