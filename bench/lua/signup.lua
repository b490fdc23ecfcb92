-- A sign-up with a distinct e-mail address per request.
-- args: path, mode (bare | api | form), address prefix, API token or session cookie,
-- CSRF token (form).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

function init(args)
  path, mode, prefix, auth, csrf = args[1], args[2], args[3], args[4] or "", args[5] or ""
  issued = 0
end

function request()
  issued = issued + 1
  local email = prefix .. "-" .. id .. "-" .. issued .. "@bench.example"
  local name = "Bench Person " .. id .. "-" .. issued
  if mode == "form" then
    return wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = auth},
      "csrf_token=" .. csrf .. "&name=" .. name:gsub(" ", "+") .. "&email=" ..
      email:gsub("@", "%%40") .. "&organisation=Bench&country=JP&language=en" ..
      "&consent_privacy=y")
  end
  local headers = {["Content-Type"] = "application/json"}
  if mode == "api" then headers["Authorization"] = "Bearer " .. auth end
  return wrk.format("POST", path, headers, string.format(
    '{"name":"%s","email":"%s","category":"guest","language":"en","country":"JP",' ..
    '"organisation":"Bench"}', name, email))
end
