# Not a leak: `with multiprocessing.Pool()` terminates the pool on exit, and map() has already collected every result.
import multiprocessing
import sys


def _count_words(path: str) -> int:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return sum(len(line.split()) for line in fh)


def main(paths: list[str]) -> int:
    with multiprocessing.Pool(processes=4) as pool:
        counts = pool.map(_count_words, paths)
    for path, count in zip(paths, counts):
        print(f"{count:>10} {path}")
    print(f"{sum(counts):>10} total")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
