#!/usr/bin/python3
"""What any reverse proxy costs on this machine: the JSON table page (50 rows) from `almanac
serve` direct, through Debian's nginx as a reverse proxy (keep-alive upstream pool, no
buffering, no logs), and through `almanac cloud`'s front door, wrk runs interleaved round by
round, with each process's CPU per request. The same page and flags as bench/cloud_ab.py; nginx
is the yardstick for the front door's warm proxy ratio (issue: hosting part 1, >= 0.8x).
Run it at real-time priority:

    chrt -f 20 bench/proxy_nginx.py [--bin build/almanac] [--rounds 4] [--duration 4]
        [--nginx-workers 1]
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cloud as c  # noqa: E402  (bench/cloud.py: its setup and wrk helpers)
import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_conf(tmp, port, upstream_port, workers):
    return f"""
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream almanac {{
        server 127.0.0.1:{upstream_port};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://almanac;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "build" / "almanac"))
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--nginx-workers", type=int, default=1)
    args = ap.parse_args()
    c.BIN = args.bin
    tmp = tempfile.mkdtemp(prefix="almproxy-", dir="/tmp")
    os.chmod(tmp, 0o711)
    procs = []
    try:
        data = Path(tmp) / "cloud"
        data.mkdir()
        os.chmod(data, 0o711)
        [token] = c.create_spaces(data, ["warm"]).values()
        db = data / "spaces" / "warm" / "data.db"
        c.make_table(db)
        shutil.copy(db, Path(tmp) / "direct.db")
        cloud, url = c.start_cloud(data)
        procs.append(cloud)
        direct = subprocess.Popen([args.bin, "serve", str(Path(tmp) / "direct.db"), "-p", "0",
                                   "--setting", "num_sql_threads", "2", "--io-threads", "2"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(direct)
        durl = re.search(r"serving on (http://\S+)", direct.stdout.readline()).group(1)
        dport = int(durl.rsplit(":", 1)[1].rstrip("/"))
        nport = free_port()
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(nginx_conf(tmp, nport, dport, args.nginx_workers))
        nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", tmp],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(nginx)
        nurl = f"http://127.0.0.1:{nport}"
        for _ in range(100):
            try:
                if httpx.get(f"{nurl}/direct/t.json?_size=50").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        httpx.get(f"{url}/warm/data/t.json", headers={"Authorization": f"Bearer {token}"})
        workers = [pid for pid in c.descendants(cloud.pid) if c.is_serve(pid)]
        nginx_pids = [nginx.pid] + c.descendants(nginx.pid)
        auth = [f"Authorization: Bearer {token}"]
        page = "t.json?_size=50"
        c.wrk(f"{durl}/direct/{page}", 1)  # first, discarded runs: colder
        c.wrk(f"{nurl}/direct/{page}", 1)
        c.wrk(f"{url}/warm/data/{page}", 1, auth)
        results = []
        for r in range(args.rounds):
            drate, (alone,) = c.wrk(f"{durl}/direct/{page}", args.duration,
                                    cpu_of=([direct.pid],))
            nrate, (ngx, behind) = c.wrk(f"{nurl}/direct/{page}", args.duration,
                                         cpu_of=(nginx_pids, [direct.pid]))
            frate, (door, worker) = c.wrk(f"{url}/warm/data/{page}", args.duration, auth,
                                          cpu_of=([cloud.pid], workers))
            results.append((drate, nrate, frate, alone, ngx, behind, door, worker))
            print(f"round {r}: direct {drate:7.0f}  nginx {nrate:7.0f} ({nrate / drate:.3f}x)  "
                  f"front door {frate:7.0f} ({frate / drate:.3f}x)  us/req: direct {alone:.1f}, "
                  f"nginx {ngx:.1f} + serve {behind:.1f}, door {door:.1f} + worker {worker:.1f}"
                  f"  load {os.getloadavg()[0]:.1f}", flush=True)
        med = [statistics.median(x[i] for x in results) for i in range(8)]
        print(f"MEDIAN: direct {med[0]:.0f} req/s; nginx proxy {med[1]:.0f} ({med[1] / med[0]:.3f}x); "
              f"front door {med[2]:.0f} ({med[2] / med[0]:.3f}x); CPU us/req: direct {med[3]:.1f}, "
              f"nginx {med[4]:.1f} + serve {med[5]:.1f}, front door {med[6]:.1f} + worker "
              f"{med[7]:.1f}")
    finally:
        for p in reversed(procs):
            if p is procs[0]:
                c.stop(p)
            else:
                p.terminate()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
