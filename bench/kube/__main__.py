"""``python -m bench.kube``: listing many pods across pages (time, peak memory), and certificate material
per rotation, EC against RSA. Every figure is printed with its ratio to a baseline measured in the same run."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.kube.listing import handler_path, measure, models
from bench.kube.material import rotation
from chatops.config import load_settings
from handlers.kube import open_clusters


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.kube", description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=5000, help="pods in the stand-in cluster (default 5000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per listing variant; the best counts (default 3)")
    parser.add_argument("--no-rsa4096", action="store_true", help="skip RSA 4096 (seconds of CPU per rotation)")
    return parser.parse_args()


async def _listing(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as directory:
        server = subprocess.Popen([sys.executable, "-m", "bench.kube.podserver", directory, str(args.pods)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None and server.stdout.readline().strip() == "READY", "the pod server did not start"
            settings = load_settings({}, overrides={"kube": {"kubeconfig": str(Path(directory) / "bench.kubeconfig"),
                                                              "timeout_seconds": 120.0}})
            async with open_clusters(settings) as clusters:
                cluster = await clusters.get(None)
                variants = [("models, one request (baseline)", models, 0), ("models, pages of 500", models, 500),
                            ("raw JSON, one request", handler_path, 0), ("raw JSON, pages of 100", handler_path, 100),
                            ("raw JSON, pages of 500 (pods.list)", handler_path, 500),
                            ("raw JSON, pages of 1000", handler_path, 1000)]
                results = [(name, await measure(cluster, variant, size, rounds=args.rounds)) for name, variant, size in variants]
        finally:
            if server.stdin:
                server.stdin.close()
            server.wait(timeout=30)
    base = results[0][1]
    print(f"\n-- summarising {base.pods} pods across every namespace (best of {args.rounds}; peak from tracemalloc)")
    print(f"{'':38}{'requests':>9}{'time':>11}{'vs base':>9}{'peak':>11}{'vs base':>9}")
    for name, r in results:
        print(f"{name:38}{r.requests:>9}{r.seconds * 1000:>9.0f}ms{r.seconds / base.seconds:>8.2f}x"
              f"{r.peak_bytes / 2**20:>8.1f}MiB{r.peak_bytes / base.peak_bytes:>8.2f}x")


def _material(args: argparse.Namespace) -> None:
    kinds = [("EC P-256", 20), ("RSA 2048", 4)] + ([] if args.no_rsa4096 else [("RSA 4096", 2)])
    results = [(kind, rotation(kind, rounds)) for kind, rounds in kinds]
    base = results[0][1]
    print("\n-- certificate material per rotation (CA + server certificate; caBundle keeps one previous CA)")
    print(f"{'':12}{'issue time':>17}{'tls.key':>16}{'tls.crt':>16}{'Secret data':>18}{'caBundle':>16}")
    for kind, m in results:
        cells = [(m.seconds * 1000, base.seconds * 1000, "ms"), (m.tls_key, base.tls_key, "B"), (m.tls_crt, base.tls_crt, "B"),
                 (m.secret_data, base.secret_data, "B"), (m.ca_bundle, base.ca_bundle, "B")]
        print(f"{kind:12}" + "".join(f"{v:>8.0f}{unit:<2} ({v / b:>4.1f}x)" for v, b, unit in cells))


def main() -> None:
    args = _args()
    asyncio.run(_listing(args))
    _material(args)


if __name__ == "__main__":
    main()
