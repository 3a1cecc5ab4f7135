#!/usr/bin/env bash
# Serves an Assay remote cache (Bazel's HTTP protocol: GET/PUT/HEAD /cas/<sha256>, /ac/<sha256>)
# with Debian's nginx and WebDAV PUT, from DIR on 127.0.0.1:PORT, in the foreground.
#   bash scripts/remote-cache-server.sh DIR PORT [TOKEN]
# With TOKEN, requests must carry `Authorization: Bearer TOKEN` (assay reads it from the
# variable named by `token-env:`, ASSAY_REMOTE_TOKEN by default). For a lab, put it behind TLS.
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd); port=$2; token=${3:-}
mkdir -p "$dir/root" "$dir/logs" "$dir/body"
guard=""
[ -n "$token" ] && guard="if (\$http_authorization != \"Bearer $token\") { return 401; }"
cat > "$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 256; }
http {
    access_log $dir/logs/access.log;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/body; fastcgi_temp_path $dir/body; uwsgi_temp_path $dir/body; scgi_temp_path $dir/body;
    server {
        listen 127.0.0.1:$port;
        root $dir/root;
        client_max_body_size 0;
        location / {
            $guard
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }
    }
}
CONF
exec nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
