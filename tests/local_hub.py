"""A minimal stand-in for the Hugging Face Hub's HTTP API, serving local dataset folders.

The Hub cannot be reached from here (no network), so the download path of
``load_dataset("quakebench/prewarped")`` is tested against this server on 127.0.0.1 through
``HF_ENDPOINT``. It answers the few read-only endpoints ``datasets`` and ``huggingface_hub``
use: repository info, file tree, paths-info and file resolution (with the headers the client
checks: ETag, X-Repo-Commit, Content-Length, Range requests).
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def _entry(root: Path, path: Path) -> dict:
    data = path.read_bytes()
    return {
        "type": "file",
        "path": path.relative_to(root).as_posix(),
        "size": len(data),
        "oid": hashlib.sha1(data).hexdigest(),
    }


class LocalHub:
    """Serve ``{repo_id: folder}`` as Hub dataset repositories; use as a context manager."""

    def __init__(self, repos: dict[str, Path]) -> None:
        self.repos = {repo: Path(folder) for repo, folder in repos.items()}
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _json(self, value) -> None:
                self._send(200, json.dumps(value).encode(), {"Content-Type": "application/json"})

            def _route(self) -> None:
                hub.requests.append(f"{self.command} {self.path}")
                path = urllib.parse.urlparse(self.path).path
                parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
                if parts[:2] == ["api", "datasets"] and len(parts) >= 5:
                    repo, verb, rest = "/".join(parts[2:4]), parts[4], parts[6:]
                    root = hub.repos.get(repo)
                    if root is None:
                        return self._send(404, b'{"error": "Repository not found"}')
                    if verb == "revision":
                        siblings = [
                            {"rfilename": e["path"], "size": e["size"]}
                            for e in map(lambda p: _entry(root, p), _files(root))
                        ]
                        return self._json(
                            {
                                "id": repo,
                                "sha": COMMIT,
                                "siblings": siblings,
                                "private": False,
                                "disabled": False,
                            }
                        )
                    if verb == "tree":
                        base = root.joinpath(*rest) if rest else root
                        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                        recursive = query.get("recursive", ["false"])[0] == "true"
                        files = [p for p in _files(base) if recursive or p.parent == base]
                        entries = [_entry(root, p) for p in files]
                        folders = sorted(p for p in base.iterdir() if p.is_dir())
                        entries += [
                            {
                                "type": "directory",
                                "path": f.relative_to(root).as_posix(),
                                "oid": COMMIT,
                                "size": 0,
                            }
                            for f in folders
                        ]
                        return self._json(entries)
                    if verb == "paths-info":
                        length = int(self.headers.get("Content-Length", 0))
                        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                        wanted = form.get("paths", [])
                        out = []
                        for name in wanted:
                            target = root / name
                            if target.is_file():
                                out.append(_entry(root, target))
                            elif target.is_dir():
                                out.append({"type": "directory", "path": name, "oid": COMMIT})
                        return self._json(out)
                if parts[:1] == ["datasets"] and len(parts) >= 6 and parts[3] == "resolve":
                    repo, name = "/".join(parts[1:3]), "/".join(parts[5:])
                    target = hub.repos.get(repo, Path("/nonexistent")) / name
                    if not target.is_file():
                        return self._send(404, b"", {"X-Error-Code": "EntryNotFound"})
                    data = target.read_bytes()
                    headers = {
                        "ETag": f'"{hashlib.sha1(data).hexdigest()}"',
                        "X-Repo-Commit": COMMIT,
                        "Accept-Ranges": "bytes",
                    }
                    ranged = self.headers.get("Range")
                    if ranged and ranged.startswith("bytes="):
                        start, _, end = ranged[6:].partition("-")
                        start = int(start) if start else max(len(data) - int(end), 0)
                        stop = int(end) + 1 if end and ranged[6:][0] != "-" else len(data)
                        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{len(data)}"
                        self.send_response(206)
                        body = data[start:stop]
                        for key, value in headers.items():
                            self.send_header(key, value)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        if self.command != "HEAD":
                            self.wfile.write(body)
                        return None
                    return self._send(200, data, headers)
                return self._send(404)

            do_GET = do_HEAD = do_POST = _route

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> LocalHub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
