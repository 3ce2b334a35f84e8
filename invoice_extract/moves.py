"""Moves that never overwrite a file and never follow a symbolic link.

The watcher moves files that anyone who can write to a shared inbox dropped there, into
folders beside it. A folder that is, or is swapped for, a symbolic link would carry those
files, under names the sender chose, anywhere the link points: so every folder is reached
from the root one name at a time with O_NOFOLLOW, and every move works inside such open
folders (``dir_fd``). A name that is taken is never replaced: a hard link then an unlink
(os.rename would replace), or across file systems a durable copy under a temporary name.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .exporters import temporary_name

# os.link fails with these where a file system has no hard links, or Linux's
# protected_hardlinks refuses to link another user's file.
_NO_HARD_LINKS = {errno.EPERM, errno.EACCES, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}
_FOLDER = os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_ON_THE_WAY = getattr(os, "O_PATH", os.O_RDONLY)  # a folder passed through: no read permission needed


def move_to(source: Path, target: Path) -> bool:
    """Move ``source`` to ``target`` durably, never overwriting; False if the name is taken.
    A twin of ``source`` already there (a kill between link and unlink) counts as moved."""
    with open_folder(source.parent) as here, open_folder(target.parent, create=True) as there:
        if same_stat(lstat_in(there, target.name), lstat_in(here, source.name)):
            os.unlink(source.name, dir_fd=here)
            os.fsync(here)
            return True
    return move_no_clobber(source, target)


def move_no_clobber(source: Path, target: Path) -> bool:
    """Move durably (both folders synced); False if ``target`` exists. Across file systems:
    copy, fsync, then unlink."""
    with open_folder(source.parent) as here, open_folder(target.parent, create=True) as there:
        try:
            moved = _rename_no_clobber(here, source.name, there, target.name)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            moved = _copy_no_clobber(here, source.name, there, target.name)
        if moved:
            os.fsync(there)
            os.fsync(here)
        return moved


def _copy_no_clobber(here: int, name: str, there: int, target: str) -> bool:
    """Copy ``name`` from folder ``here`` to ``target`` in folder ``there`` under a temporary
    name, durably, then rename it there and unlink the original; False if ``target`` exists."""
    temporary = temporary_name()
    placed = False
    try:
        with open(os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=here), "rb") as reader, \
                open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666, dir_fd=there),
                     "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
            writer.flush()
            os.fsync(writer.fileno())
        placed = _rename_no_clobber(there, temporary, there, target)
    finally:
        if not placed:  # a full disk or a failed read leaves no temporary
            with suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=there)
    if placed:
        os.fsync(there)  # the copy is durable before the input goes
        os.unlink(name, dir_fd=here)
    return placed


def _rename_no_clobber(here: int, name: str, there: int, target: str) -> bool:
    """os.link fails rather than replace an existing name, which os.rename would do."""
    try:
        os.link(name, target, src_dir_fd=here, dst_dir_fd=there, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        # No hard links here. The lock keeps other watchers out, so only an outsider could
        # take the name between this check and the rename.
        if lstat_in(there, target) is not None:
            return False
        os.rename(name, target, src_dir_fd=here, dst_dir_fd=there)
        return True
    os.unlink(name, dir_fd=here)
    return True


@contextmanager
def open_folder(folder: Path, *, create: bool = False) -> Iterator[int]:
    """``folder`` (absolute, resolved), open: reached one name at a time from the root, never
    through a symbolic link, so that a folder swapped for a link to elsewhere, whenever that
    happens, is refused (OSError) rather than written through; every move and note goes
    through such a descriptor. With ``create``, missing folders are made (as mkdir -p)."""
    parts = folder.absolute().parts
    descriptor = os.open("/", _ON_THE_WAY | _FOLDER)
    try:
        for depth, name in enumerate(parts[1:], 2):
            child = _open_child(descriptor, name, os.O_RDONLY if depth == len(parts) else _ON_THE_WAY, create,
                                Path(*parts[:depth]))
            os.close(descriptor)
            descriptor = child
        yield descriptor
    finally:
        os.close(descriptor)


def _open_child(parent: int, name: str, flags: int, create: bool, path: Path) -> int:
    """Folder ``name`` in the open folder ``parent``, open, never a link."""
    try:
        if create:
            with suppress(FileExistsError):
                os.mkdir(name, dir_fd=parent)
        return os.open(name, flags | _FOLDER, dir_fd=parent)
    except OSError as error:
        if error.errno in (errno.ENOTDIR, errno.ELOOP) and os.path.islink(path):
            raise OSError(errno.ELOOP, "a symbolic link where a folder should be; the watcher writes nothing "
                                       "through a link: replace it with a real folder", str(path)) from None
        raise


def lstat_in(folder: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None


def same_stat(first: os.stat_result | None, second: os.stat_result | None) -> bool:
    return first is not None and second is not None and os.path.samestat(first, second)


def candidates(name: str) -> Iterator[str]:
    """``name``, then ``NAME (2).ext``, ``NAME (3).ext``...: the names a move may take."""
    yield name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while True:
        yield f"{stem} ({number}){suffix}"
        number += 1
