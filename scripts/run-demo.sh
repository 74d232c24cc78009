#!/bin/sh
# run-demo.sh — creates demo.db (once) and serves it on 127.0.0.1:8080.
# LINLI_DB, LINLI_LISTEN and LINLI_SCALE override the defaults.
set -eu
db=${LINLI_DB:-demo.db}
listen=${LINLI_LISTEN:-127.0.0.1:8080}
if [ ! -f "$db" ]; then
	build/linli demo --db "$db" --scale "${LINLI_SCALE:-street}"
else
	echo "using existing $db (delete it for a fresh demo)"
	echo "logins: admin / linli-admin-1; shuji, wangge, linzhang, jumin, jiedao / linli-demo-1"
fi
echo "open http://$listen/ — API at http://$listen/api/v1/ (Ctrl-C stops)"
exec build/linli serve --db "$db" --listen "$listen"
