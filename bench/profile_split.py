#!/usr/bin/env python3
"""Splits a perf profile of the app (perf script output on stdin) into the click's parts (issue 24).

Each sample is charged to the leaf-most frame that names an owner (a Coupons feature, a client library, ASP.NET
Core's layers, telemetry, the runtime's GC or JIT); kernel frames and the base library are skipped while looking, so
a socket write inside the Redis client is the gate's, not "the network's". Prints the split and the top frames by
self time. Usage: perf script -i perf.data | bench/profile_split.py [top N]
"""
import collections
import re
import sys

# (part, pattern on a frame's symbol or its DSO); the first pattern a frame matches names its part.
OWNERS = [
    ("telemetry: metrics and traces", r"OpenTelemetry|System\.Diagnostics\.Metrics|System\.Diagnostics\.Activity|DiagnosticListener|Prometheus"),
    ("logging", r"Microsoft\.Extensions\.Logging"),
    ("authentication (JWT)", r"Microsoft\.IdentityModel|System\.IdentityModel|JwtBearer|Coupons\.Auth\.|Microsoft\.AspNetCore\.Authentication|Microsoft\.AspNetCore\.Authorization"),
    ("limits (edge, per person, bulkheads)", r"RateLimiting|Coupons\.Infrastructure\.Edge|KeyedRateLimiter"),
    ("gate (Redis)", r"Coupons\.Gate\.|StackExchange\.Redis|Pipelines\.Sockets\.Unofficial"),
    ("publish (Kafka producer)", r"IssueRequestPublisher|Confluent\.Kafka\.Producer"),
    ("consumer: decode, decide", r"Coupons\.Consumer\.|Confluent\.Kafka\.Consumer|Confluent\.Kafka\.Deserializ"),
    ("outbox relay", r"Coupons\.Outbox\."),
    ("database (MySqlConnector, Dapper)", r"MySqlConnector|Dapper"),
    ("librdkafka threads", r"librdkafka"),
    ("issue endpoint and its checks", r"Coupons\.Issuance\.|Coupons\.Catalog\.|Coupons\.Campaigns\.|Coupons\.Users\.|Coupons\.Pauses\.|Coupons\.Infrastructure\.Http"),
    ("other Coupons code", r"Coupons\."),
    ("JSON", r"System\.Text\.Json"),
    ("HTTP: Kestrel, routing, middleware", r"Microsoft\.AspNetCore|Microsoft\.Extensions\.Primitives|System\.Net\.Http\.HPack"),
    ("GC", r"WKS::|SVR::|gc_heap|GCHeap|libclrgc|GCToEE|Alloc.*Slow|JIT_New"),
    ("JIT and tiering", r"libclrjit|TieredCompilation|CallCountingManager"),
]
OWNER_PATTERNS = [(part, re.compile(pattern)) for part, pattern in OWNERS]
SKIP = re.compile(r"\[kernel\.kallsyms\]")


def samples(stream):
    """Yields (thread name, frames leaf first) per sample; a frame is 'symbol (dso)'."""
    comm, frames = None, []
    for line in stream:
        if not line.strip():
            if comm is not None:
                yield comm, frames
            comm, frames = None, []
        elif not line.startswith(("\t", " ")):
            comm, frames = line.split()[0], []
        else:
            parts = line.strip().split(" ", 1)
            frames.append(parts[1] if len(parts) > 1 else parts[0])
    if comm is not None:
        yield comm, frames


def part_of(comm, frames):
    for frame in frames:
        if SKIP.search(frame):
            continue
        for part, pattern in OWNER_PATTERNS:
            if pattern.search(frame):
                return part
    if comm.startswith("rdk:"):
        return "librdkafka threads"
    if any(SKIP.search(f) for f in frames[:1]):
        return "kernel, no owner on the stack"
    return "unowned (base library, thread pool, unresolved)"


def short(frame):
    frame = re.sub(r"\+0x[0-9a-f]+", "", frame)
    frame = re.sub(r"\[(OptimizedTier1|Optimized|Tier0|Tier1|QuickJitted|PreJIT|OptimizedTier1OSR|Tier1-OSR)\]", "", frame)
    return frame[:150]


def main():
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    parts, leaves = collections.Counter(), collections.Counter()
    total = kernel = 0
    for comm, frames in samples(sys.stdin):
        total += 1
        if frames and SKIP.search(frames[0]):
            kernel += 1
        parts[part_of(comm, frames)] += 1
        leaves[short(frames[0]) if frames else "?"] += 1
    if total == 0:
        print("no samples")
        return
    print(f"{total} samples; {100 * kernel / total:.1f} % of them in the kernel (syscalls, the network stack)")
    print()
    print("| part of the app's CPU | share |")
    print("|---|---:|")
    for part, n in parts.most_common():
        print(f"| {part} | {100 * n / total:.1f} % |")
    print()
    print(f"Top {top} frames by self time:")
    print()
    print("| self | frame |")
    print("|---:|---|")
    for frame, n in leaves.most_common(top):
        print(f"| {100 * n / total:.1f} % | `{frame}` |")


main()
