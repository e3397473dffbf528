#!/usr/bin/env python3
"""A Runplane command agent in Python: counts the words of a file it reads through the runtime.

Protocol (JSON lines): the runtime writes {"input": ..., "job": {...}} first; we write
{"event": {...}} lines, ask for mediated operations with {"call": {...}} and read the
{"reply": {...}}, and finish with {"result": ...} or {"error": {...}}. Stderr becomes logs.
"""
import json
import sys


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def call(call_id, op, args):
    send({"call": {"id": call_id, "op": op, "args": args}})
    reply = json.loads(sys.stdin.readline())["reply"]
    if "error" in reply:
        raise RuntimeError(f'{reply["error"]["code"]}: {reply["error"]["message"]}')
    return reply["result"]


def main():
    start = json.loads(sys.stdin.readline())
    path = (start.get("input") or {}).get("path", "/notes/hello.txt")
    send({"event": {"kind": "log", "body": {"level": "info", "message": f"counting words in {path}"}}})
    print(f"job {start['job']['id']} started", file=sys.stderr)
    try:
        text = call(1, "fs.read", {"path": path})
    except RuntimeError as refused:
        send({"error": {"code": "PERMISSION_DENIED", "message": str(refused)}})
        return
    words = len(text.split())
    send({"event": {"kind": "progress", "body": {"current": 1, "total": 1, "units": "files"}}})
    send({"event": {"kind": "metric", "body": {"name": "words", "value": words}}})
    send({"result": {"path": path, "words": words}})


if __name__ == "__main__":
    main()
