"""Runs a case's steps with one command-line tool and dumps the resulting database."""
import base64
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def dump_database(path):
    """Every table's CREATE statement and rows (by rowid), plus other schema objects' SQL."""
    out = {"tables": {}, "other": []}
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return out
    conn = sqlite3.connect(path)
    try:
        schema = conn.execute(
            "select type, name, sql from sqlite_master where name not like 'sqlite_%' "
            "order by type, name").fetchall()
        virtual = [n for t, n, s in schema if t == "table" and s and s.startswith("CREATE VIRTUAL")]
        for kind, name, sql in schema:
            if kind != "table":
                if sql:
                    out["other"].append(sql)
                continue
            if any(name.startswith(v + "_") for v in virtual):
                continue  # FTS shadow tables
            entry = {"sql": sql}
            if name not in virtual:
                quoted = '"' + name.replace('"', '""') + '"'
                entry["rows"] = [[encode(v) for v in row]
                                 for row in conn.execute(f"select * from {quoted} order by rowid")]
            out["tables"][name] = entry
    finally:
        conn.close()
    return out


def encode(value):
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode()}
    return value


def run_case(steps, command, env=None):
    """Runs `steps` with `command` (a list: the program and any leading arguments)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "test.db")
        codes, outputs = [], []
        for s in steps:
            args = [db if a == "DB" else a for a in s["args"]]
            stdin = open(HERE / s["stdin"], "rb") if s["stdin"] else subprocess.DEVNULL
            try:
                result = subprocess.run(command + args, cwd=HERE, stdin=stdin, capture_output=True,
                                        env=env, timeout=120)
            finally:
                if s["stdin"]:
                    stdin.close()
            codes.append(0 if result.returncode == 0 else 1)
            outputs.append(result.stdout.decode("utf-8", "replace") if s["stdout"] else None)
        dumped = dump_database(db)
        dumped["steps"] = codes
        dumped["stdout"] = outputs
        return dumped
