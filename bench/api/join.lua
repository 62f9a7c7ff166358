-- wrk: a guest asking to join an open meeting (every check join does, then a token).
wrk.method = "POST"
wrk.body = '{"displayName":"Bench Guest"}'
wrk.headers["Content-Type"] = "application/json"
