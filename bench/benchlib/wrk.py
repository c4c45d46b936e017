"""wrk on loopback, cycling through a list of request paths (bench/cycle.lua)."""
import re
import subprocess
from pathlib import Path

CYCLE_LUA = Path(__file__).resolve().parents[1] / "cycle.lua"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    return float(m.group(1)) * UNITS[m.group(2)]


def run(base, paths_file, duration, connections=16, threads=1, headers=None):
    """req/s, p50 ms, p99 ms and error counts of `wrk` against `base`, cycling the paths,
    each request with `headers` (a dict) besides wrk's own."""
    extra = [arg for k, v in (headers or {}).items() for arg in ("-H", f"{k}: {v}")]
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s",
                          "--latency", *extra, "-s", str(CYCLE_LUA), base, "--",
                          str(paths_file)],
                         capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    result["errors"] = (f"{bad.group(1)} non-2xx " if bad else "") + (sock.group(1) if sock else "")
    return result
