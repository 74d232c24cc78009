-- wrk script: report a request (POST /api/v1/requests) with a bearer token
-- and place taken from the environment; every 2xx is a durable commit.
local token = os.getenv("LINLI_TOKEN")
local place = os.getenv("LINLI_PLACE")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"category":"sewer","description":"压测：下水道堵了 / load test: blocked sewer","place_node_id":' .. place .. '}'
