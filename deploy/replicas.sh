#!/usr/bin/env bash
# Two (or N) app replicas behind nginx on one machine, without containers: ./deploy/replicas.sh [N]
# Replicas listen on 127.0.0.1:8501.., nginx on 127.0.0.1:8080 (deploy/nginx.conf, sticky by cookie). Ctrl-C stops all.
# Needs Debian's nginx (apt-get install -y nginx-light) and the venv of ./scripts/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2}
RUN=$(mktemp -d)
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_NUM_THREADS=1
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$RUN"; }
trap cleanup EXIT INT TERM
upstreams=""
for i in $(seq 1 "$N"); do
  port=$((8500 + i))
  .venv/bin/python -m streamlit run app.py --server.headless true --server.address 127.0.0.1 \
    --server.port "$port" --server.fileWatcherType none --browser.gatherUsageStats false >"$RUN/app$i.log" 2>&1 &
  pids+=($!)
  upstreams+="    server 127.0.0.1:$port max_fails=0;\n"
done
# deploy/nginx.conf's server block inside a minimal nginx.conf that runs as this user, files under $RUN
python3 - "$RUN" "$upstreams" <<'PY'
import pathlib, re, sys
run, ups = sys.argv[1], sys.argv[2].replace("\\n", "\n")
text = pathlib.Path("deploy/nginx.conf").read_text()
text = re.sub(r"(upstream ufm_app \{\n    hash [^\n]*\n)(    server [^\n]*\n)+", lambda m: m.group(1) + ups, text)
pathlib.Path(run, "nginx.conf").write_text(
    f"pid {run}/nginx.pid;\nerror_log {run}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
    f"http {{\n  access_log off;\n  client_body_temp_path {run}/body; proxy_temp_path {run}/proxy;\n"
    f"  fastcgi_temp_path {run}/f; uwsgi_temp_path {run}/u; scgi_temp_path {run}/s;\n{text}\n}}\n")
PY
nginx -c "$RUN/nginx.conf" -p "$RUN" -g "daemon off;" &
pids+=($!)
echo "replicas: $N on 127.0.0.1:8501..$((8500 + N)); nginx on http://127.0.0.1:8080 (logs in $RUN)"
wait -n "${pids[@]}"
