"""A loopback stand-in for the Hugging Face Hub's HTTP API, on 127.0.0.1.

The Hub cannot be reached from here (no network), so the real ``huggingface_hub`` and
``datasets`` clients are pointed at this server through ``HF_ENDPOINT``. It stands in for the
network boundary only, and follows the Hub's documented API (https://huggingface.co/docs/hub/api)
and the requests of ``huggingface_hub``'s public source (``hf_api.py``, ``_commit_api.py``,
``lfs.py``), not whatever the client happens to accept:

* repositories: ``POST /api/repos/create`` (409 with the repo's url when it exists), info
  ``GET /api/datasets/{id}[/revision/{rev}]``, ``GET .../refs``;
* files: ``GET .../tree/{rev}/{path}`` (LFS entries carry ``lfs.oid``, the SHA-256),
  ``POST .../paths-info/{rev}``, ``GET /datasets/{id}/resolve/{rev}/{path}`` (ETag,
  X-Repo-Commit, Range);
* writing: ``POST .../preupload/{rev}`` (upload mode, and the remote oid of a file already
  there), the Git LFS batch API ``POST /datasets/{id}.git/info/lfs/objects/batch`` (no
  ``actions`` for an object already stored: the client then sends nothing), the basic transfer
  ``PUT`` and its ``verify``, ``POST .../commit/{rev}`` (NDJSON: header, file, lfsFile,
  deletedFile, deletedFolder; a commit referencing an LFS object never uploaded is refused),
  ``POST .../branch/{name}``, ``POST .../tag/{rev}`` (409 when it exists);
* ``POST /api/validate-yaml`` for dataset cards.

Model repositories are served alike under the Hub's model paths: ``/api/models/{id}...``,
``/{id}.git/info/lfs/objects/batch`` and ``/{id}/resolve/{rev}/{path}``; ``repos`` keys them
``model:{id}``.

Writes need ``Authorization: Bearer <token>``. Repositories live in memory as commits (path
-> blob) and refs. Xet is not served: the clients run with ``HF_HUB_DISABLE_XET=1``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

LFS_SUFFIXES = (".parquet", ".arrow", ".npz", ".tif", ".bin", ".pt")
MODEL = "model:"
"""The prefix of a model repository's key in ``LocalHub.repos``."""
"""Stored through LFS, as the Hub's default ``.gitattributes`` says (and anything >= 10 MB)."""
LFS_THRESHOLD_BYTES = 10 * 1024 * 1024
LICENSES = ("cc-by-4.0", "cc0-1.0", "cc-by-sa-4.0", "mit", "apache-2.0", "odc-by", "other")
"""The licence ids this stand-in's YAML validation knows (a subset of the Hub's list)."""


def git_blob_oid(data: bytes) -> str:
    """Git's object id of a blob: SHA-1 of ``blob <size>\\0`` and the bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Blob:
    """A file of a commit: inline bytes, or a pointer to an LFS object."""

    size: int
    data: bytes | None = None
    sha256: str | None = None

    @property
    def oid(self) -> str:
        """The oid ``preupload`` reports: SHA-256 for LFS, the git blob id otherwise."""
        return self.sha256 if self.sha256 else git_blob_oid(self.data)


@dataclass
class Repo:
    private: bool = False
    commits: dict[str, dict[str, Blob]] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> str | None:
        if revision in self.branches:
            return self.branches[revision]
        if revision in self.tags:
            return self.tags[revision]
        return revision if revision in self.commits else None


class HubError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code = status, code


class LocalHub:
    """The loopback Hub; use as a context manager. ``repos`` seeds read-only folders.

    Attributes used by tests: ``uploads`` (SHA-256 of every LFS object received whole),
    ``requests``, ``fail_commits`` (answer the next N commits with 500) and ``stall_uploads``
    (hold every LFS upload after that many, until released).
    """

    def __init__(self, repos: dict[str, Path] | None = None, token: str = "hf_loopback") -> None:
        self.token = token
        self.repos: dict[str, Repo] = {}
        self.lfs: dict[str, bytes] = {}
        self.uploads: list[str] = []
        self.requests: list[str] = []
        self.fail_commits = 0
        self.stall_uploads: int | None = None
        self.admitted = 0
        self.released = threading.Event()
        self.lock = threading.Lock()
        for repo_id, folder in (repos or {}).items():
            self._seed(repo_id, Path(folder))
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _route(self) -> None:
                hub.requests.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    status, payload, headers = hub.handle(self, body)
                except HubError as error:
                    headers = {"X-Error-Message": str(error)}
                    if error.code:
                        headers["X-Error-Code"] = error.code
                    status, payload = error.status, {"error": str(error)}
                if isinstance(payload, dict | list):
                    payload = json.dumps(payload).encode()
                    headers = {"Content-Type": "application/json", **headers}
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_HEAD = do_POST = do_PUT = _route

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- the store -------------------------------------------------------------------------

    def _seed(self, repo_id: str, folder: Path) -> None:
        files = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if not path.name.startswith("."):
                files[path.relative_to(folder).as_posix()] = self._blob(path.read_bytes(), path)
        repo = Repo()
        self.repos[repo_id] = repo
        self._commit(repo, "main", files, "seed")

    def _blob(self, data: bytes, path: Path | str) -> Blob:
        if str(path).endswith(LFS_SUFFIXES) or len(data) >= LFS_THRESHOLD_BYTES:
            sha = hashlib.sha256(data).hexdigest()
            self.lfs[sha] = data
            return Blob(len(data), sha256=sha)
        return Blob(len(data), data=data)

    def _commit(self, repo: Repo, branch: str, files: dict[str, Blob], summary: str) -> str:
        parent = repo.branches.get(branch, "")
        listing = json.dumps({p: b.oid for p, b in sorted(files.items())})
        oid = hashlib.sha1(f"{parent}\n{summary}\n{listing}".encode()).hexdigest()
        repo.commits[oid] = files
        repo.branches[branch] = oid
        return oid

    def _data(self, blob: Blob) -> bytes:
        return blob.data if blob.sha256 is None else self.lfs[blob.sha256]

    # -- requests --------------------------------------------------------------------------

    def _authorised(self, request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    def _repo(self, request, repo_id: str, write: bool = False) -> Repo:
        repo = self.repos.get(repo_id)
        if write and not self._authorised(request):
            raise HubError(401, "Invalid credentials in Authorization header")
        if repo is None or (repo.private and not self._authorised(request)):
            raise HubError(404, "Repository not found", "RepoNotFound")
        return repo

    def _files(self, repo: Repo, revision: str) -> tuple[str, dict[str, Blob]]:
        commit = repo.resolve(urllib.parse.unquote(revision))
        if commit is None:
            raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return commit, repo.commits[commit]

    def _entry(self, path: str, blob: Blob) -> dict:
        entry = {"type": "file", "path": path, "size": blob.size}
        if blob.sha256:
            pointer = (
                f"version https://git-lfs.github.com/spec/v1\noid sha256:{blob.sha256}\n"
                f"size {blob.size}\n"
            ).encode()
            entry["oid"] = git_blob_oid(pointer)
            entry["lfs"] = {"oid": blob.sha256, "size": blob.size, "pointerSize": len(pointer)}
        else:
            entry["oid"] = git_blob_oid(blob.data)
        return entry

    def handle(self, request, body: bytes) -> tuple[int, object, dict]:
        url = urllib.parse.urlparse(request.path)
        parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/")]
        query = urllib.parse.parse_qs(url.query)
        method = request.command
        if parts == ["api", "repos", "create"] and method == "POST":
            return self._create(request, json.loads(body))
        if parts == ["api", "validate-yaml"] and method == "POST":
            return self._validate_yaml(json.loads(body))
        if parts[:1] == ["lfs-upload"] and method == "PUT":
            return self._upload(parts[1], body)
        if parts[:1] == ["lfs-verify"] and method == "POST":
            found = json.loads(body)["oid"] in self.lfs
            return (200, {}, {}) if found else (404, {"error": "object not found"}, {})
        if parts[:2] in (["api", "datasets"], ["api", "models"]) and len(parts) >= 4:
            key = ("" if parts[1] == "datasets" else MODEL) + "/".join(parts[2:4])
            return self._api(request, method, key, parts[4:], query, body)
        kind, parts = ("", parts[1:]) if parts[:1] == ["datasets"] else (MODEL, parts)
        if len(parts) >= 3 and parts[1].endswith(".git"):
            key = f"{kind}{parts[0]}/{parts[1][: -len('.git')]}"
            if parts[2:] == ["info", "lfs", "objects", "batch"]:
                return self._batch(request, key, json.loads(body))
        if len(parts) >= 5 and parts[2] == "resolve":
            return self._resolve(request, kind + "/".join(parts[:2]), parts[3], "/".join(parts[4:]))
        raise HubError(404, f"no route for {method} {url.path}")

    def _create(self, request, payload: dict) -> tuple[int, object, dict]:
        if not self._authorised(request):
            raise HubError(401, "Invalid credentials in Authorization header")
        kind = payload.get("type", "model")
        if kind not in ("dataset", "model"):
            raise HubError(400, "this stand-in serves dataset and model repositories only")
        repo_id = f"{payload['organization']}/{payload['name']}"
        key = repo_id if kind == "dataset" else MODEL + repo_id
        url = f"{self.endpoint}/{'datasets/' if kind == 'dataset' else ''}{repo_id}"
        if key in self.repos:
            return 409, {"error": f"You already created this {kind} repo", "url": url}, {}
        private = payload.get("private") or payload.get("visibility") == "private"
        repo = Repo(private=bool(private))
        self.repos[key] = repo
        attributes = b"*.parquet filter=lfs diff=lfs merge=lfs -text\n"
        self._commit(repo, "main", {".gitattributes": Blob(len(attributes), attributes)}, "init")
        return 200, {"url": url, "name": repo_id}, {}

    def _validate_yaml(self, payload: dict) -> tuple[int, object, dict]:
        text = payload.get("content", "")
        match = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
        try:
            metadata = yaml.safe_load(match.group(1)) if match else {}
        except yaml.YAMLError as error:
            return 400, {"error": f"Invalid YAML: {error}"}, {}
        if not isinstance(metadata, dict):
            return 400, {"error": "metadata must be a YAML mapping"}, {}
        licence = metadata.get("license")
        if licence is not None and licence not in LICENSES:
            return 400, {"error": f'"license" must be one of the Hub\'s licence ids: {licence}'}, {}
        for config in metadata.get("configs", []):
            if "config_name" not in config or "data_files" not in config:
                return 400, {"error": '"configs" entries need config_name and data_files'}, {}
        return 200, {}, {}

    def _api(self, request, method, repo_id, rest, query, body) -> tuple[int, object, dict]:
        verb = rest[0] if rest else ""
        write = method == "POST" and verb in ("preupload", "commit", "branch", "tag")
        repo = self._repo(request, repo_id, write=write)
        if method == "GET" and verb in ("", "revision"):
            commit, files = self._files(repo, rest[1] if verb else "main")
            siblings = [{"rfilename": p, "size": b.size} for p, b in sorted(files.items())]
            name = repo_id.removeprefix(MODEL)
            info = {"id": name, "sha": commit, "siblings": siblings, "private": repo.private}
            return 200, {**info, "disabled": False, "gated": False}, {}
        if verb == "refs":
            refs = {
                kind: [
                    {"name": name, "ref": f"refs/{prefix}/{name}", "targetCommit": oid}
                    for name, oid in sorted(table.items())
                ]
                for kind, prefix, table in (
                    ("branches", "heads", repo.branches),
                    ("tags", "tags", repo.tags),
                )
            }
            return 200, {**refs, "converts": []}, {}
        if verb == "tree":
            _, files = self._files(repo, rest[1])
            base = "/".join(rest[2:])
            recursive = query.get("recursive", ["false"])[0] in ("true", "1", "True")
            prefix = f"{base}/" if base else ""
            entries, folders = [], set()
            for path, blob in sorted(files.items()):
                if not path.startswith(prefix):
                    continue
                tail = path[len(prefix) :]
                if recursive or "/" not in tail:
                    entries.append(self._entry(path, blob))
                if "/" in tail:
                    folders.add(prefix + tail.split("/")[0])
            if base and not entries and not folders:
                raise HubError(404, f"{base} does not exist", "EntryNotFound")
            folders_out = [{"type": "directory", "path": f, "oid": "0" * 40} for f in folders]
            return 200, sorted(entries + folders_out, key=lambda e: e["path"]), {}
        if verb == "paths-info":
            _, files = self._files(repo, rest[1])
            wanted = urllib.parse.parse_qs(body.decode()).get("paths", [])
            out = []
            for name in wanted:
                if name in files:
                    out.append(self._entry(name, files[name]))
                elif any(p.startswith(name.rstrip("/") + "/") for p in files):
                    out.append({"type": "directory", "path": name, "oid": "0" * 40})
            return 200, out, {}
        if verb == "preupload":
            _, files = self._files(repo, rest[1])
            out = []
            for item in json.loads(body)["files"]:
                path, size = item["path"], item["size"]
                lfs = path.endswith(LFS_SUFFIXES) or size >= LFS_THRESHOLD_BYTES
                existing = files.get(path)
                out.append(
                    {
                        "path": path,
                        "uploadMode": "lfs" if lfs else "regular",
                        "shouldIgnore": False,
                        "oid": existing.oid if existing else None,
                    }
                )
            return 200, {"files": out, "commitOid": repo.resolve(rest[1])}, {}
        if verb == "commit":
            return self._commit_request(repo, repo_id, urllib.parse.unquote(rest[1]), body)
        if verb == "branch":
            name = urllib.parse.unquote("/".join(rest[1:]))
            if name in repo.branches:
                raise HubError(409, f"Reference refs/heads/{name} already exists")
            start = json.loads(body or b"{}").get("startingPoint") or "main"
            commit, _ = self._files(repo, start)
            repo.branches[name] = commit
            return 200, {}, {}
        if verb == "tag":
            commit, _ = self._files(repo, rest[1])
            tag = json.loads(body)["tag"]
            if tag in repo.tags:
                raise HubError(409, f"Tag {tag} already exists")
            repo.tags[tag] = commit
            return 200, {}, {}
        raise HubError(404, f"no route for {method} /api/datasets/{repo_id}/{verb}")

    def _commit_request(self, repo: Repo, repo_id: str, branch: str, body: bytes):
        if branch not in repo.branches:
            raise HubError(404, f"Invalid rev id: {branch}", "RevisionNotFound")
        if self.fail_commits:
            self.fail_commits -= 1
            raise HubError(500, "Internal Error (injected by the test)")
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        header = lines[0]
        if header["key"] != "header":
            raise HubError(400, "the first line of a commit must be its header")
        parent = header["value"].get("parentCommit")
        if parent and parent != repo.branches[branch]:
            raise HubError(412, "A commit has happened since. Please refresh and try again.")
        files = dict(repo.commits[repo.branches[branch]])
        for line in lines[1:]:
            key, value = line["key"], line["value"]
            path = value["path"]
            if key == "file":
                data = base64.b64decode(value["content"])
                files[path] = Blob(len(data), data=data)
            elif key == "lfsFile":
                if value["oid"] not in self.lfs:
                    raise HubError(400, f"LFS object {value['oid']} for {path} was never uploaded")
                files[path] = Blob(len(self.lfs[value["oid"]]), sha256=value["oid"])
            elif key == "deletedFile":
                if files.pop(path, None) is None:
                    raise HubError(404, f"A file with this name doesn't exist: {path}")
            elif key == "deletedFolder":
                files = {p: b for p, b in files.items() if not p.startswith(path.rstrip("/") + "/")}
            else:
                raise HubError(400, f"unknown commit operation {key}")
        oid = self._commit(repo, branch, files, header["value"]["summary"])
        path = repo_id.removeprefix(MODEL) if repo_id.startswith(MODEL) else f"datasets/{repo_id}"
        url = f"{self.endpoint}/{path}/commit/{oid}"
        return 200, {"commitUrl": url, "commitOid": oid, "pullRequestUrl": None}, {}

    def _batch(self, request, repo_id: str, payload: dict) -> tuple[int, object, dict]:
        self._repo(request, repo_id, write=payload.get("operation") == "upload")
        objects = []
        for item in payload["objects"]:
            answer = {"oid": item["oid"], "size": item["size"], "authenticated": True}
            if item["oid"] not in self.lfs:
                answer["actions"] = {
                    "upload": {"href": f"{self.endpoint}/lfs-upload/{item['oid']}"},
                    "verify": {"href": f"{self.endpoint}/lfs-verify/{item['oid']}"},
                }
            objects.append(answer)
        headers = {"Content-Type": "application/vnd.git-lfs+json"}
        return 200, json.dumps({"transfer": "basic", "objects": objects}).encode(), headers

    def _upload(self, oid: str, data: bytes) -> tuple[int, object, dict]:
        with self.lock:  # admit uploads one at a time, so exactly ``stall_uploads`` get through
            admitted, self.admitted = self.admitted, self.admitted + 1
        stall = self.stall_uploads is not None and admitted >= self.stall_uploads
        if stall:
            self.released.wait(timeout=120)
        if hashlib.sha256(data).hexdigest() != oid:
            raise HubError(400, f"content does not match oid {oid}")
        with self.lock:
            self.lfs[oid] = data
            self.uploads.append(oid)
        return 200, b"", {}

    def _resolve(self, request, repo_id: str, revision: str, path: str):
        repo = self._repo(request, repo_id)
        commit, files = self._files(repo, revision)
        if path not in files:
            raise HubError(404, f"Entry not found: {path}", "EntryNotFound")
        blob = files[path]
        data = self._data(blob)
        headers = {
            "ETag": f'"{blob.oid}"',
            "X-Repo-Commit": commit,
            "Accept-Ranges": "bytes",
        }
        ranged = request.headers.get("Range")
        if ranged and ranged.startswith("bytes="):
            start, _, end = ranged[len("bytes=") :].partition("-")
            if start:
                first, stop = int(start), int(end) + 1 if end else len(data)
            else:
                first, stop = max(len(data) - int(end), 0), len(data)
            headers["Content-Range"] = f"bytes {first}-{min(stop, len(data)) - 1}/{len(data)}"
            return 206, data[first:stop], headers
        return 200, data, headers

    def __enter__(self) -> LocalHub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
