# Shared by the benches that poll a real nginx (sourced, not run): one worker on 127.0.0.1 at a free
# port, serving $S/www with ETags (as a static web server or CDN serves the registry), its access log
# at $S/nginx/logs/access.log. Needs: $S (the bench's sandbox). Defines: PORT, NGINX_PID, nginx_start,
# nginx_stop (for the bench's cleanup), nginx_wait_for PATH (until it serves PATH).
NGINX_PID=
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# nginx_start [LOG_FORMAT]: with LOG_FORMAT (nginx variables) the access log has one such line per request.
nginx_start() {
  local format=${1:-} log="access_log $S/nginx/logs/access.log"
  [ -n "$format" ] && log="log_format bench '$format'; access_log $S/nginx/logs/access.log bench"
  mkdir -p "$S/www" "$S/nginx/logs" "$S/nginx/tmp"
  chmod 755 "$S/www"
  cat > "$S/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $S/nginx/logs/error.log;
pid $S/nginx/nginx.pid;
events { worker_connections 64; }
http {
  $log;
  client_body_temp_path $S/nginx/tmp; proxy_temp_path $S/nginx/tmp; fastcgi_temp_path $S/nginx/tmp;
  uwsgi_temp_path $S/nginx/tmp; scgi_temp_path $S/nginx/tmp;
  types { application/json json; }
  server { listen 127.0.0.1:$PORT; root $S/www; etag on; }
}
CONF
  nginx -c "$S/nginx/nginx.conf" -p "$S/nginx" -g 'daemon off;' &
  NGINX_PID=$!
}

nginx_stop() { [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true; }

nginx_wait_for() { for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/$1" >/dev/null && return 0; sleep 0.1; done; return 1; }
