-- POST {"code": ...} with a distinct code per request (a first check-in every time).
-- args: path, codes file (one per line), number of wrk threads, door tokens (comma
-- separated; none for the bare endpoint). Thread n takes every n-th code.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

function init(args)
  path = args[1]
  local nthreads = tonumber(args[3])
  codes = {}
  local i = 0
  for line in io.lines(args[2]) do
    if i % nthreads == id then codes[#codes + 1] = line end
    i = i + 1
  end
  tokens = {}
  for t in string.gmatch(args[4] or "", "[^,]+") do tokens[#tokens + 1] = t end
  counter = 0
end

function request()
  counter = counter + 1
  local headers = {["Content-Type"] = "application/json"}
  if #tokens > 0 then
    local n = (counter + id) % #tokens + 1
    headers["Authorization"] = "Bearer " .. tokens[n]
    headers["X-Scanner-Device"] = "bench-" .. n
  end
  return wrk.format("POST", path, headers,
                    '{"code":"' .. codes[(counter - 1) % #codes + 1] .. '"}')
end
