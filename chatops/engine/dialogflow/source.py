"""Reading an ES export, zipped or unpacked: its files by relative path, wherever agent.json sits."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from chatops.errors import InputError


class ExportFiles:
    """The JSON files of an export, keyed by their path relative to the folder holding agent.json."""

    def __init__(self, files: dict[str, bytes], origin: str) -> None:
        self.files = files
        self.origin = origin

    @classmethod
    def open(cls, location: Path | str) -> ExportFiles:
        path = Path(location)
        if path.is_dir():
            raw = {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*.json") if p.is_file()}
        elif path.is_file():
            try:
                with zipfile.ZipFile(path) as archive:
                    raw = {n: archive.read(n) for n in archive.namelist() if n.endswith(".json") and not n.endswith("/")}
            except zipfile.BadZipFile as exc:
                raise InputError(f"{path} is neither a folder nor a zip file") from exc
        else:
            raise InputError(f"{path} does not exist")
        roots = sorted((PurePosixPath(n).parent for n in raw if PurePosixPath(n).name == "agent.json"), key=lambda p: len(p.parts))
        if not roots:
            raise InputError(f"{path} is not a DialogFlow ES export: it has no agent.json")
        root = roots[0]
        files = {}
        for name, content in raw.items():
            relative = PurePosixPath(name)
            if root.parts == relative.parts[: len(root.parts)]:
                files[PurePosixPath(*relative.parts[len(root.parts) :]).as_posix()] = content
        return cls(files, str(path))

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.files[name].decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{self.origin}: {name} is not valid JSON: {exc}") from exc

    def folder(self, name: str) -> list[str]:
        """File names (without folder) directly inside ``name/``."""
        prefix = f"{name}/"
        return sorted(n[len(prefix) :] for n in self.files if n.startswith(prefix) and "/" not in n[len(prefix) :])
