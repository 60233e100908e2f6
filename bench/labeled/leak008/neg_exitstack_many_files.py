# Not a leak: every shard file is entered on an ExitStack, which closes all of them when the block ends.
import contextlib
import heapq
import sys


def merge_sorted_shards(shard_paths: list[str], output_path: str) -> int:
    written = 0
    with contextlib.ExitStack() as stack:
        shards = [stack.enter_context(open(p, encoding="utf-8")) for p in shard_paths]
        out = stack.enter_context(open(output_path, "w", encoding="utf-8"))
        for line in heapq.merge(*shards):
            out.write(line)
            written += 1
    return written


if __name__ == "__main__":
    *inputs, output = sys.argv[1:]
    print(f"wrote {merge_sorted_shards(inputs, output)} lines to {output}")
