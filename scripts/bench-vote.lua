-- wrk script for scripts/bench-http: every request casts a fresh vote on a fresh seat.
--   wrk -t THREADS -s scripts/bench-vote.lua URL -- VOTES_FILE FIRST COUNT THREADS
-- VOTES_FILE has one seat per line: path <TAB> cookie <TAB> urlencoded form body. This run uses
-- lines FIRST+1 .. FIRST+COUNT, dealt out to the threads in turn. A thread that has used up its
-- share stops; the requests its other connections still send repeat its last vote, which the court
-- refuses, so the caller counts at most COUNT fresh votes.

local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local seats = {}
local used = 0

function init(args)
  local path, first, count, threads = args[1], tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
  local slot = -first
  for line in io.lines(path) do
    if slot >= count then break end
    if slot >= 0 and slot % threads == id then
      local target, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(seats, wrk.format("POST", target, {
        ["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, body))
    end
    slot = slot + 1
  end
end

function request()
  used = used + 1
  return seats[math.min(used, #seats)]
end

function response(status, headers, body)
  if used >= #seats then
    wrk.thread:stop()
  end
end
