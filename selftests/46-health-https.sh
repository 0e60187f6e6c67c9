#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpced's HTTPS health checks against a real TLS server (nginx, with a
# self-signed certificate for another name, made here by openssl req):
#  - matcher 302: a path answering 200 fails every target (the TLS
#    handshake with the bad certificate succeeded: the log says the status
#    was 200), a path answering 302 brings them back healthy;
#  - without "host" no SNI is sent and the Host header is the target's
#    address; with "host a.example.com" nginx sees it both as SNI and as
#    Host (its access log records both);
#  - timeout: a server that accepts and never answers fails every target
#    after the threshold, and each check gave up after the 2 s timeout, not
#    the 5 s interval (the server measures how long vpced held each
#    connection);
#  - service show and -j show the check as set.

# timeout: 240
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3 vpced nginx openssl curl jq
pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# listening PORT : something in prov listens on PORT.
listening() { ip netns exec prov ss -Hltn "sport = :$1" | grep -q .; }

# --- the TLS server --------------------------------------------------------------
# A certificate no verifying client accepts: self-signed, for another name.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
	-subj /CN=wrong.invalid >"$tmp/openssl.log" 2>&1 ||
	fail "openssl req: $(cat "$tmp/openssl.log")"
mkdir -p "$tmp/ngx"
cat >"$tmp/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 256; }
http {
	log_format sni '\$server_addr "\$ssl_server_name" "\$http_host" \$request_uri \$status';
	access_log $tmp/access.log sni;
	client_body_temp_path $tmp/ngx/body;
	proxy_temp_path $tmp/ngx/proxy;
	fastcgi_temp_path $tmp/ngx/fastcgi;
	uwsgi_temp_path $tmp/ngx/uwsgi;
	scgi_temp_path $tmp/ngx/scgi;
	ssl_certificate $tmp/cert.pem;
	ssl_certificate_key $tmp/key.pem;
	server {
		listen 8443 ssl default_server;
		server_name _;
		location = /ok { return 200 "ok\n"; }
		location = /redirect { return 302 /ok; }
		location / { return 404; }
	}
	server {
		listen 8443 ssl;
		server_name a.example.com;
		location = /sni { return 200 "a\n"; }
		location / { return 404; }
	}
}
EOF
ip netns exec prov nginx -e "$tmp/nginx-error.log" -p "$tmp" -c "$tmp/nginx.conf" \
	>"$tmp/nginx.out" 2>&1 </dev/null &
defer kill $!
wait_for 30 listening 8443 ||
	fail "nginx did not start: $(cat "$tmp/nginx.out" "$tmp/nginx-error.log" 2>/dev/null)"
# The certificate is bad indeed: a verifying client refuses it.
ip netns exec prov curl -sS -o /dev/null https://192.168.1.10:8443/ok 2>"$tmp/curl.err" &&
	fail "curl accepted the self-signed certificate"
log "curl, verifying: $(head -n1 "$tmp/curl.err")"
[ "$(ip netns exec prov curl -sk -o /dev/null -w '%{http_code}' https://192.168.1.10:8443/redirect)" = 302 ] ||
	fail "nginx does not answer /redirect with 302"

# A server that accepts and never answers; it logs how long each
# connection was held ("ADDR SECONDS") when its client goes away.
cat >"$tmp/mute.py" <<'EOF'
import selectors, socket, sys, time
sel = selectors.DefaultSelector()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", 8444))
ls.listen(128)
ls.setblocking(False)
sel.register(ls, selectors.EVENT_READ)
log = open(sys.argv[1], "a", buffering=1)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s is ls:
            c, peer = ls.accept()
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ, (c.getsockname()[0], time.monotonic()))
            continue
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            addr, t0 = key.data
            log.write("%s %.2f\n" % (addr, time.monotonic() - t0))
            sel.unregister(s)
            s.close()
EOF
ip netns exec prov python3 "$tmp/mute.py" "$tmp/mute.log" >"$tmp/mute.out" 2>&1 </dev/null &
defer kill $!
wait_for 30 listening 8444 ||
	fail "the mute server did not start: $(cat "$tmp/mute.out")"

health() {
	vpcectl target show svc | awk -v a="$1" '$3 == a { for (i = 1; i < NF; i++) if ($i == "health") print $(i + 1) }'
}
# all HEALTH : every target has HEALTH.
all() {
	local t
	for t in $TARGETS; do
		[ "$(health "192.168.1.$t")" = "$1" ] || return 1
	done
}

# --- matcher: 200 fails, 302 passes -------------------------------------------
must vpcectl service set svc health-check https:/ok port 8443 interval 5 \
	healthy-threshold 2 unhealthy-threshold 2 matcher 302
want='health-check https:/ok port 8443 interval 5 timeout 4 healthy-threshold 2 unhealthy-threshold 2 matcher 302'
vpcectl service show svc | grep -qF "$want" ||
	fail "health check not shown as \"$want\": $(vpcectl service show svc)"
hc=$(vpcectl -j service show svc | jq -cS '.[0].health_check')
[ "$hc" = '{"healthy_threshold":2,"interval":5,"matcher":"302","path":"/ok","port":8443,"protocol":"https","timeout":4,"unhealthy_threshold":2}' ] ||
	fail "health check in JSON: $hc"

vpced -r 1 >"$tmp/log" 2>&1 &
VPCED=$!
defer kill "$VPCED"
wait_for 5 grep -q 'checking 3 targets' "$tmp/log" ||
	fail "vpced did not start checking: $(cat "$tmp/log")"
wait_for 20 all unhealthy ||
	fail "matcher 302: a 200 did not fail every target: $(vpcectl target show svc); $(cat "$tmp/log")"
grep -q 'service svc target 192.168.1.10: healthy -> unhealthy after 2 failed checks (HTTP status 200)' "$tmp/log" ||
	fail "the 200 is not logged: $(cat "$tmp/log")"
log "matcher 302, GET /ok (200) over TLS: every target unhealthy"

must vpcectl service set svc health-check https:/redirect port 8443 interval 5 \
	healthy-threshold 2 unhealthy-threshold 2 matcher 200-299,302
wait_for 20 all healthy ||
	fail "matcher 302: a 302 did not bring the targets back: $(vpcectl target show svc); $(cat "$tmp/log")"
grep -q 'service svc target 192.168.1.11: unhealthy -> healthy after 2 successful checks' "$tmp/log" ||
	fail "the change back is not logged: $(cat "$tmp/log")"
log "matcher 200-299,302, GET /redirect (302), self-signed certificate for another name: every target healthy"

# No host: no SNI (nginx logs "-"), and the Host header is the target's
# address and port.
for t in $TARGETS; do
	grep -q "^192.168.1.$t \"-\" \"192.168.1.$t:8443\" /redirect 302$" "$tmp/access.log" ||
		fail "no check of 192.168.1.$t without SNI and with Host its address: $(tail -n 5 "$tmp/access.log")"
done
log "without host: $(grep -m1 /redirect "$tmp/access.log")"

# --- host: SNI and Host header ------------------------------------------------------
must vpcectl service set svc health-check https:/sni port 8443 interval 5 \
	healthy-threshold 2 unhealthy-threshold 2 host a.example.com
vpcectl service show svc | grep -qF 'matcher 200-399 host a.example.com' ||
	fail "default matcher and host not shown: $(vpcectl service show svc)"
for t in $TARGETS; do
	wait_for 15 grep -q "^192.168.1.$t \"a.example.com\" \"a.example.com:8443\" /sni 200$" "$tmp/access.log" ||
		fail "no check of 192.168.1.$t with SNI a.example.com: $(tail -n 5 "$tmp/access.log")"
done
all healthy || fail "host a.example.com: $(vpcectl target show svc); $(cat "$tmp/log")"
log "host a.example.com: $(grep -m1 /sni "$tmp/access.log")"

# --- timeout --------------------------------------------------------------------
must vpcectl service set svc health-check https:/ port 8444 interval 5 timeout 2 \
	healthy-threshold 2 unhealthy-threshold 2
began=$EPOCHREALTIME
wait_for 20 all unhealthy ||
	fail "a mute server did not fail every target: $(vpcectl target show svc); $(cat "$tmp/log")"
took=$(awk -v a="$began" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
grep -q 'healthy -> unhealthy after 2 failed checks (timed out after 2 s waiting for the TLS handshake)' "$tmp/log" ||
	fail "the timeout is not logged: $(cat "$tmp/log")"
# Each check held its connection for the 2 s timeout, not the 5 s interval.
wait_for 5 eval '[ "$(wc -l <"$tmp/mute.log")" -ge 6 ]' || fail "the mute server saw too few checks: $(cat "$tmp/mute.log")"
awk '$2 < 1.5 || $2 > 3.5 { bad = bad " " $0 } END { if (bad) { print bad; exit 1 } }' \
	"$tmp/mute.log" >"$tmp/mute.bad" ||
	fail "checks held the mute server outside 1.5-3.5 s (timeout 2 s):$(cat "$tmp/mute.bad")"
log "mute server: every target unhealthy after ${took}s; connections held $(awk '{ printf "%s ", $2 }' "$tmp/mute.log")s"

kill -TERM "$VPCED"
wait_for 3 eval '! kill -0 $VPCED 2>/dev/null' || fail "vpced ignored SIGTERM"
log "vpced log:"
sed 's/^/  /' "$tmp/log"
exit 0
