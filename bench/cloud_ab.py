#!/usr/bin/python3
"""The JSON table page (50 rows) through the front door and from `almanac serve` direct, for
several builds at once, their wrk runs interleaved round by round (so that the machine's load
falls on all of them alike), with each process's CPU per request. Run it at real-time priority:

    chrt -f 20 bench/cloud_ab.py ROUNDS SECONDS NAME=BINARY[,cloud flag,...] ...
    chrt -f 20 bench/cloud_ab.py 6 4 main=/tmp/main/almanac branch=build/almanac

A build's extra `almanac cloud` flags follow its binary, separated by commas
(`one=build/almanac,--io-threads,1`)."""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cloud as c  # noqa: E402  (bench/cloud.py: its setup and wrk helpers)
import httpx  # noqa: E402

rounds, duration = int(sys.argv[1]), int(sys.argv[2])
bins = [a.split("=", 1) for a in sys.argv[3:]]
bins = [(n, b.split(",")[0], b.split(",")[1:]) for n, b in bins]
setups = []
tmp = tempfile.mkdtemp(prefix="almab-", dir="/tmp")
os.chmod(tmp, 0o711)
try:
    for name, binary, extra in bins:
        c.BIN = binary
        data = Path(tmp) / name
        data.mkdir()
        os.chmod(data, 0o711)
        [token] = c.create_spaces(data, ["warm"]).values()
        db = data / "spaces" / "warm" / "data.db"
        c.make_table(db)
        shutil.copy(db, data / "direct.db")
        process, url = c.start_cloud(data, *extra)
        p = subprocess.Popen([binary, "serve", str(data / "direct.db"), "-p", "0", "--setting",
                              "num_sql_threads", "2", "--io-threads", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        durl = re.search(r"serving on (http://\S+)", p.stdout.readline()).group(1)
        httpx.get(f"{url}/warm/data/t.json", headers={"Authorization": f"Bearer {token}"})
        workers = [pid for pid in c.descendants(process.pid) if c.is_serve(pid)]
        setups.append(dict(name=name, process=process, url=url, token=token, direct=p,
                           durl=durl, workers=workers, res=[]))
    time.sleep(1)
    for s in setups:  # a first, discarded second each: the pages' first runs are colder
        c.wrk(f"{s['url']}/warm/data/t.json?_size=50", 1, [f"Authorization: Bearer {s['token']}"])
        c.wrk(f"{s['durl']}/direct/t.json?_size=50", 1)
    for r in range(rounds):
        for s in setups:
            rate, (door, worker) = c.wrk(f"{s['url']}/warm/data/t.json?_size=50", duration,
                                         [f"Authorization: Bearer {s['token']}"],
                                         cpu_of=([s['process'].pid], s['workers']))
            drate, (alone,) = c.wrk(f"{s['durl']}/direct/t.json?_size=50", duration,
                                    cpu_of=([s['direct'].pid],))
            s['res'].append((rate, drate, door, worker, alone))
            print(f"round {r} {s['name']:>8}: proxied {rate:7.0f} direct {drate:7.0f} "
                  f"ratio {rate/drate:.3f}  door {door:5.1f} worker {worker:5.1f} direct {alone:5.1f} us/req  load {os.getloadavg()[0]:.1f}",
                  flush=True)
    for s in setups:
        med = [statistics.median(x[i] for x in s['res']) for i in range(5)]
        print(f"MEDIAN {s['name']:>8}: proxied {med[0]:.0f} direct {med[1]:.0f} ratio {med[0]/med[1]:.3f} "
              f"door {med[2]:.1f} worker {med[3]:.1f} direct {med[4]:.1f}")
finally:
    for s in setups:
        c.stop(s['process'])
        s["direct"].terminate()
        s["direct"].wait()
    shutil.rmtree(tmp, ignore_errors=True)
