# Leaks: each RQ job opens the release tarball with tarfile.open and never closes it.
import os
import tarfile

RELEASES = "/srv/releases"


def unpack_release(version: str) -> list[str]:
    archive_path = os.path.join(RELEASES, f"app-{version}.tar.gz")
    target = os.path.join(RELEASES, version)
    os.makedirs(target, exist_ok=True)
    tar = tarfile.open(archive_path, "r:gz")  # expect: LEAK008
    members = [m for m in tar.getmembers() if m.isfile() and not m.name.startswith(("/", ".."))]
    tar.extractall(target, members=members)
    return [m.name for m in members]
