"""Import and export of a large recording, against `age` and a bare AEAD loop.

One WAV file (noise, mono 16-bit 48 kHz) is encrypted and decrypted three
ways in each repetition, taking turns so that all three share the machine's
noise: supervise's `import_recording` and `export_recording` (service calls,
each in a child process of its own), the `age` command (`age -r`, `age -d`),
and a bare ChaCha20-Poly1305 loop over the same 64 KiB chunks with the same
file I/O (the floor). The figures that matter are the ratios of medians.
Targets: supervise at least as fast as `age` both ways; peak memory under
100 MiB whatever the file size.

supervise syncs what it writes (the payload on import, the output file on
export) and so does the bare loop; `age` does not, so "age + fsync" adds the
time to sync age's output afterwards, for a comparison at equal durability.
Before each timed step everything is synced, so that no step pays for
another's write-back, and a scratch file the size of the input is written and
deleted, so that every step writes into just-freed memory (see `settle`). The
input is read from the page cache after its first use. CPU time (user and
system) is shown beside the wall time: it leaves out waiting for the disk,
the noisiest part on a shared machine.

Peak memory is the child process's own high-water mark (VmHWM), read by the
child itself: `ru_maxrss` of a child started from this process would count
this process's pages too. `age` runs under `/usr/bin/time` for the same
reason. The increase over a baseline child (the same modules, the program
opened, a login) is what the file's size could change, so it is also measured
with a small file.

    python benchmarks/vault.py [--size-mib 1024] [--repeat 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext

MIB = 1024 * 1024
CHUNK = 64 * 1024
SEALED = CHUNK + 16
TRAINEE, ADMIN, CASE_CODE = "tara", "dana", "C-1001"
MEMORY_TARGET_MIB = 100
GNU_TIME = Path("/usr/bin/time")
FAST_ARGON2 = {
    "SUPERVISE_ARGON2_TIME_COST": "1",
    "SUPERVISE_ARGON2_MEMORY_KIB": "8192",
    "SUPERVISE_ARGON2_PARALLELISM": "1",
}
"""Cheap Argon2id parameters, as in tests/conftest.py: logins are not measured."""

ENCRYPT = ("import", "age -r", "age -r + fsync", "bare encrypt")
DECRYPT = ("export", "age -d", "age -d + fsync", "bare decrypt")
LABELS = {"import": "supervise import", "export": "supervise export"}


def say(text: str) -> None:
    """Progress for the person waiting, on standard error."""
    print(text, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Sample:
    """One timed run: wall-clock and CPU seconds, and the peak RSS if known."""

    wall: float
    cpu: float
    peak_kib: int | None = None


def measure(work: Callable[[], object]) -> Sample:
    """Time `work` in this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return Sample(time.perf_counter() - wall, time.process_time() - cpu)


# --- files -----------------------------------------------------------------


def write_wav(path: Path, size: int, seed: int = 1) -> None:
    """A WAV file of exactly `size` bytes of noise, written 1 MiB at a time."""
    noise = random.Random(seed)
    left = size - 44  # the canonical RIFF/fmt/data header
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48_000)
        while left > 0:
            block = min(MIB, left)
            out.writeframesraw(noise.randbytes(block))
            left -= block
    assert path.stat().st_size == size, "the WAV header is not 44 bytes"


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with path.open("rb", buffering=0) as source:
        while block := source.read(MIB):
            digest.update(block)
    return digest.hexdigest()


def fsync_seconds(path: Path) -> float:
    """How long it takes to sync a file another process wrote."""
    start = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - start


def check_and_remove(path: Path, expected: str, who: str) -> None:
    """Stop the run if `path` is not the input, then delete it."""
    if sha256_of(path) != expected:
        raise SystemExit(f"{who} did not give back the input: the run is void")
    path.unlink()


# --- the floor: a bare ChaCha20-Poly1305 loop --------------------------------


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def bare_encrypt(aead: ChaCha20Poly1305, source: Path, target: Path) -> None:
    """Seal `source` in 64 KiB chunks as age's STREAM does, and sync it."""
    with source.open("rb", buffering=0) as reader, target.open("wb", 0) as writer:
        counter, chunk = 0, reader.read(CHUNK)
        while True:
            following = reader.read(CHUNK) if len(chunk) == CHUNK else b""
            writer.write(aead.encrypt(_nonce(counter, not following), chunk, None))
            if not following:
                break
            counter, chunk = counter + 1, following
        os.fsync(writer.fileno())


def bare_decrypt(aead: ChaCha20Poly1305, source: Path, target: Path) -> None:
    """Open what `bare_encrypt` sealed, and sync the plaintext."""
    with source.open("rb", buffering=0) as reader, target.open("wb", 0) as writer:
        counter, sealed = 0, reader.read(SEALED)
        while True:
            following = reader.read(SEALED) if len(sealed) == SEALED else b""
            writer.write(aead.decrypt(_nonce(counter, not following), sealed, None))
            if not following:
                break
            counter, sealed = counter + 1, following
        os.fsync(writer.fileno())


# --- the age command ---------------------------------------------------------


def run_age(*args: str) -> Sample:
    """Run `age` (under `/usr/bin/time` for its peak RSS, when there is one)."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        timer = [str(GNU_TIME), "-f", "%M", "-o", rss.name]
        argv = (timer if GNU_TIME.exists() else []) + ["age", *args]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        # The rusage of /usr/bin/time includes the CPU time of age, its child.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{argv} exited {proc.returncode}")
        text = Path(rss.name).read_text().split()
    peak = int(text[-1]) if text else None
    return Sample(wall, usage.ru_utime + usage.ru_stime, peak)


# --- supervise, in child processes -------------------------------------------


def open_as(home: Path, username: str) -> tuple[ProgramContext, UserSession]:
    """The program in `home` and a demo person logged in to it."""
    from supervise.services.accounts import login
    from supervise.services.context import open_program
    from supervise.services.setup import DEMO_ACCOUNTS
    from supervise.settings import load_settings

    ctx = open_program(load_settings(home, environ=FAST_ARGON2))
    password = next(a.password for a in DEMO_ACCOUNTS if a.username == username)
    return ctx, login(ctx, username, password)


def child_main(args: argparse.Namespace) -> None:
    """In a child: open the program, log in, do one thing, report as JSON."""
    from supervise.services import recordings

    ctx, user = open_as(args.home, TRAINEE)
    report: dict[str, object] = {}

    def work() -> None:
        if args.child == "import":
            view = recordings.import_recording(ctx, user, args.source, CASE_CODE)
            report["recording"] = view.id
        elif args.child == "export":
            recordings.export_recording(ctx, user, args.recording, args.out)

    sample = measure(work)
    report.update(wall=sample.wall, cpu=sample.cpu, peak_kib=vm_hwm_kib())
    ctx.engine.dispose()
    print(json.dumps(report))


def vm_hwm_kib() -> int:
    """This process's resident-set high-water mark."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_child(home: Path, task: str, *extra: str) -> tuple[Sample, dict[str, int]]:
    """Run one supervise task in a fresh interpreter; its sample and report."""
    argv = [sys.executable, __file__, "--child", task, "--home", str(home), *extra]
    done = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True)
    report = json.loads(done.stdout.splitlines()[-1])
    return Sample(report["wall"], report["cpu"], report["peak_kib"]), report


# --- the run -----------------------------------------------------------------


@dataclass
class Results:
    """Samples per operation, and peak memory per (file size, operation)."""

    samples: dict[str, list[Sample]] = field(default_factory=dict)
    peaks: dict[tuple[int, str], int] = field(default_factory=dict)
    keep_times: bool = True

    def add(self, size: int, operation: str, sample: Sample) -> None:
        if self.keep_times:
            self.samples.setdefault(operation, []).append(sample)
        if sample.peak_kib is not None:
            key = (size, operation)
            self.peaks[key] = max(sample.peak_kib, self.peaks.get(key, 0))

    def wall(self, operation: str) -> float:
        return statistics.median(s.wall for s in self.samples[operation])

    def cpu(self, operation: str) -> float:
        return statistics.median(s.cpu for s in self.samples[operation])


@dataclass
class Bench:
    """The working folder, the program in it and the keys for age and the loop."""

    work: Path
    home: Path
    age_key: Path
    age_recipient: str
    aead: ChaCha20Poly1305
    results: Results = field(default_factory=Results)

    def path(self, name: str) -> Path:
        return self.work / name


def prepare(work: Path) -> Bench:
    """Seed a demo program and make an age identity in `work`."""
    from supervise.crypto.age import X25519Identity
    from supervise.services.setup import seed_demo
    from supervise.settings import load_settings

    home = work / "home"
    seed_demo(load_settings(home, environ=FAST_ARGON2)).context.engine.dispose()
    identity = X25519Identity.generate()
    key = work / "bench.key"
    key.write_text(identity.secret_string() + "\n")
    key.chmod(0o600)
    aead = ChaCha20Poly1305(ChaCha20Poly1305.generate_key())
    return Bench(work, home, key, str(identity.recipient), aead)


Loop = Callable[[ChaCha20Poly1305, Path, Path], None]


def settle(bench: Bench, size: int) -> None:
    """Write and delete a scratch file of `size` bytes, then sync everything.

    The next step then writes into page-cache memory the kernel has just
    freed. A virtual machine that hands long-free memory back to its host
    (free page reporting) slows whichever program writes into such memory
    first, and the order of the steps would otherwise decide the ratios.
    """
    scratch, block = bench.path("scratch"), bytes(MIB)
    with scratch.open("wb", buffering=0) as out:
        for _ in range(max(1, size // MIB)):
            out.write(block)
    scratch.unlink()
    os.sync()


def bare_step(
    bench: Bench, size: int, op: str, loop: Loop, paths: tuple[Path, Path]
) -> None:
    """Settle, then time the bare loop one way."""
    settle(bench, size)
    bench.results.add(size, op, measure(lambda: loop(bench.aead, *paths)))


def encrypt_step(bench: Bench, source: Path, size: int) -> int:
    """Steps (a) to (c); return the new recording's id."""
    add = bench.results.add
    settle(bench, size)
    sample, report = run_child(bench.home, "import", "--source", str(source))
    add(size, "import", sample)
    settle(bench, size)
    age_out = bench.path("age.age")
    sample = run_age("-r", bench.age_recipient, "-o", str(age_out), str(source))
    add(size, "age -r", sample)
    add(
        size, "age -r + fsync", Sample(sample.wall + fsync_seconds(age_out), sample.cpu)
    )
    bare = (source, bench.path("bare.enc"))
    bare_step(bench, size, "bare encrypt", bare_encrypt, bare)
    return report["recording"]


def decrypt_step(bench: Bench, recording: int, size: int, expected: str) -> None:
    """Steps (d) to (f), checking each output against the input's hash."""
    add, out = bench.results.add, bench.path("plain.out")
    age_in, bare_in = bench.path("age.age"), bench.path("bare.enc")
    settle(bench, size)
    args = ("--recording", str(recording), "--out", str(out))
    add(size, "export", run_child(bench.home, "export", *args)[0])
    check_and_remove(out, expected, "supervise export")
    settle(bench, size)
    sample = run_age("-d", "-i", str(bench.age_key), "-o", str(out), str(age_in))
    add(size, "age -d", sample)
    add(size, "age -d + fsync", Sample(sample.wall + fsync_seconds(out), sample.cpu))
    check_and_remove(out, expected, "age -d")
    bare_step(bench, size, "bare decrypt", bare_decrypt, (bare_in, out))
    check_and_remove(out, expected, "the bare loop")
    age_in.unlink()
    bare_in.unlink()


def age_opens_stored_halves(bench: Bench, recording: int, expected: str) -> None:
    """`age -d` on the header from the database followed by the blob file.

    The one-recording identity comes from `export_age`; the age file it also
    writes is deleted unread.
    """
    from sqlmodel import Session

    from supervise.models.clinical import Recording
    from supervise.services import recordings

    ctx, user = open_as(bench.home, TRAINEE)
    try:
        folder = bench.path("age-export")
        folder.mkdir()
        exported = recordings.export_age(ctx, user, recording, folder)
        exported.age_file.unlink()
        with Session(ctx.engine) as session:
            row = session.get(Recording, recording)
            assert row is not None and row.age_header is not None
            header, blob = row.age_header, ctx.blobs.path_of(row.blob_name)
        out = bench.path("interop.out")
        argv = ["age", "-d", "-i", str(exported.identity_file), "-o", str(out)]
        with subprocess.Popen(argv, stdin=subprocess.PIPE) as age:
            assert age.stdin is not None
            age.stdin.write(header)
            with blob.open("rb") as payload:
                shutil.copyfileobj(payload, age.stdin, MIB)
            age.stdin.close()
        if age.returncode != 0:
            raise SystemExit("age -d refused supervise's stored header and payload")
        check_and_remove(out, expected, "age -d of the stored header and payload")
        shutil.rmtree(folder)
    finally:
        ctx.engine.dispose()


def shred(bench: Bench, recording: int) -> None:
    """Shred a recording as the admin, to free its payload's space."""
    from supervise.services import recordings

    ctx, admin = open_as(bench.home, ADMIN)
    try:
        recordings.shred(ctx, admin, recording)
    finally:
        ctx.engine.dispose()


def one_round(bench: Bench, source: Path, size: int, expected: str) -> None:
    """Encrypt and decrypt three ways, then shred the recording."""
    recording = encrypt_step(bench, source, size)
    decrypt_step(bench, recording, size, expected)
    shred(bench, recording)


def memory_at(bench: Bench, size: int) -> None:
    """Peak memory of every operation on another file size (times not kept)."""
    source = bench.path(f"small-{size // MIB}.wav")
    write_wav(source, size, seed=2)
    bench.results.keep_times = False
    one_round(bench, source, size, sha256_of(source))
    bench.results.keep_times = True
    source.unlink()


def run(bench: Bench, size: int, small: int, repeat: int) -> None:
    """The whole benchmark, into `bench.results`."""
    bench.results.add(0, "baseline", run_child(bench.home, "baseline")[0])
    say(f"peak memory with a {small // MIB} MiB file ...")
    memory_at(bench, small)
    source = bench.path("input.wav")
    say(f"writing a {size // MIB} MiB WAV ...")
    write_wav(source, size)
    expected = sha256_of(source)
    for rep in range(1, repeat + 1):
        say(f"repetition {rep}/{repeat}: import, age -r, bare loop ...")
        recording = encrypt_step(bench, source, size)
        if rep == 1:
            say("checking that age opens the stored header and payload ...")
            age_opens_stored_halves(bench, recording, expected)
        say(f"repetition {rep}/{repeat}: export, age -d, bare loop ...")
        decrypt_step(bench, recording, size, expected)
        shred(bench, recording)


# --- the report --------------------------------------------------------------


def print_times(results: Results, size: int) -> None:
    mib = size / MIB
    for title, operations in (("encrypt", ENCRYPT), ("decrypt", DECRYPT)):
        print(f"{title:<24}  wall s   MiB/s   cpu s   each run, wall s")
        for op in operations:
            wall, cpu = results.wall(op), results.cpu(op)
            runs = " ".join(f"{s.wall:.2f}" for s in results.samples[op])
            name = LABELS.get(op, op)
            print(f"  {name:<22}{wall:8.2f}{mib / wall:8.0f}{cpu:8.2f}   {runs}")


def print_ratios(results: Results, ours: str, others: tuple[str, ...]) -> None:
    """Supervise's wall and CPU time over each other way's."""
    print(f"  {LABELS[ours]} over")
    for other in others:
        wall = results.wall(ours) / results.wall(other)
        cpu = results.cpu(ours) / results.cpu(other)
        print(f"    {other:<22}{wall:8.2f}x wall {cpu:6.2f}x cpu")


def print_verdict(results: Results, ours: str, age: str, what: str) -> None:
    """PASS or MISS against the age command, and the figure at equal durability."""
    ratio = results.wall(ours) / results.wall(age)
    synced = results.wall(ours) / results.wall(f"{age} + fsync")
    print(
        f"{'PASS' if ratio <= 1.0 else 'MISS'} {what} at least as fast as {age}: "
        f"{ratio:.2f}x ({synced:.2f}x against {age} + fsync)"
    )


def _cell(results: Results, size: int, op: str, base: float | None) -> str:
    kib = results.peaks.get((size, op))
    if kib is None:
        return f"{'n/a':>20}"
    text = f"{kib / 1024:.1f}"
    if base is not None:
        text += f" (+{kib / 1024 - base:.1f})"
    return f"{text:>20}"


def print_memory(results: Results, sizes: tuple[int, int]) -> float:
    """The peak-memory table; return the worst supervise peak in MiB."""
    base = results.peaks[0, "baseline"] / 1024
    heads = "".join(f"{f'{size // MIB} MiB file':>20}" for size in sizes)
    print(f"peak RSS, MiB (increase over baseline){heads}")
    print(f"  baseline child: modules, program open, login {base:.1f}")
    for op in ("import", "export", "age -r", "age -d"):
        ours = op in LABELS
        cells = "".join(_cell(results, s, op, base if ours else None) for s in sizes)
        print(f"  {LABELS.get(op, op):<36}{cells}")
    peaks = [results.peaks[s, op] for s in sizes for op in LABELS]
    return max(peaks) / 1024


def report(results: Results, size: int, small: int, repeat: int) -> None:
    print(
        f"{size // MIB} MiB WAV, {repeat} repetition(s), medians; the three ways "
        "take turns in each repetition\nand read the same input, from the page "
        "cache after its first use; supervise and the bare loop\nfsync their "
        "output, age does not (hence age + fsync)"
    )
    print_times(results, size)
    print("ratios of medians (below 1.00x: supervise is faster)")
    print_ratios(results, "import", ENCRYPT[1:])
    print_ratios(results, "export", DECRYPT[1:])
    worst = print_memory(results, (small, size))
    print_verdict(results, "import", "age -r", "encrypt")
    print_verdict(results, "export", "age -d", "decrypt")
    print(
        f"{'PASS' if worst < MEMORY_TARGET_MIB else 'MISS'} peak memory under "
        f"{MEMORY_TARGET_MIB} MiB at both sizes (worst {worst:.1f} MiB)"
    )
    print(
        "checked: every decrypted output equals the input (SHA-256), and age -d "
        "opens the header stored in the database followed by the payload file"
    )


# --- command line ------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument(
        "--small-mib", type=int, default=64, help="the second size for peak memory"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where the temporary folder goes (removed at the end)",
    )
    parser.add_argument(
        "--child", choices=("baseline", "import", "export"), help=argparse.SUPPRESS
    )
    for hidden in ("--home", "--source", "--out"):
        parser.add_argument(hidden, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--recording", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def check_space(workdir: Path, size: int) -> None:
    """Refuse to start without room for five copies of the file and a margin.

    At the fullest: the input, supervise's payload, age's output, the bare
    loop's output and one decrypted copy being checked.
    """
    need = 5 * size + 256 * MIB
    free = shutil.disk_usage(workdir).free
    if free < need:
        raise SystemExit(
            f"not enough free space in {workdir}: the run needs about "
            f"{need / MIB / 1024:.1f} GiB (five times the file) and only "
            f"{free / MIB / 1024:.1f} GiB are free; pass a smaller --size-mib "
            "or a --workdir on a bigger disk"
        )


def main() -> None:
    args = parse_args()
    if args.child:
        child_main(args)
        return
    if shutil.which("age") is None:
        raise SystemExit("the age command is needed (Debian package age)")
    for value in (args.size_mib, args.small_mib):
        if not 1 <= value < 4096:
            raise SystemExit("sizes are 1 to 4095 MiB: a WAV file holds under 4 GiB")
    size, small = args.size_mib * MIB, args.small_mib * MIB
    check_space(args.workdir, max(size, small))
    work = Path(tempfile.mkdtemp(prefix="vault-bench-", dir=args.workdir))
    try:
        bench = prepare(work)
        run(bench, size, small, args.repeat)
        report(bench.results, size, small, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
