# Pure-python workload for bench/programs-bench.sh (python3.11-minimal's
# standard library only): integers, strings, dicts, sorting, re, heapq.
# Deterministic: prints the same lines on every machine.
import sys, re, heapq
from collections import Counter, defaultdict

scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1

def lcg(seed):
    while True:
        seed = (seed * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        yield seed >> 33

# Big integers: a few digits of pi (Machin) and factorial digit sums.
def arctan_inv(x, digits):
    one = 10 ** (digits + 10)
    total = term = one // x
    x2, n, sign = x * x, 3, -1
    while term:
        term //= x2
        total += sign * (term // n)
        sign, n = -sign, n + 2
    return total

def pi_digits(digits):
    p = 4 * (4 * arctan_inv(5, digits) - arctan_inv(239, digits))
    return str(p // 10 ** 10)

pi = pi_digits(600 * scale)
print("pi", pi[:20], pi[-10:], sum(map(int, pi)))
f = 1
for i in range(2, 300 * scale + 1):
    f *= i
print("fact", len(str(f)), sum(map(int, str(f))) % 100000)

# Primes by sieve, and a dict of prime gaps.
N = 60000 * scale
sieve = bytearray([1]) * (N + 1)
sieve[0:2] = b"\0\0"
for i in range(2, int(N ** 0.5) + 1):
    if sieve[i]:
        sieve[i * i::i] = bytearray(len(range(i * i, N + 1, i)))
primes = [i for i in range(N + 1) if sieve[i]]
gaps = Counter(b - a for a, b in zip(primes, primes[1:]))
print("primes", len(primes), primes[-1], sorted(gaps.items())[:6], gaps.most_common(3))

# Strings and dicts: a word-frequency index over generated text.
rng = lcg(12345)
syll = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "de", "xu", "po", "an"]
words = ["".join(syll[next(rng) % len(syll)] for _ in range(1 + next(rng) % 4)) for _ in range(40000 * scale)]
text = " ".join(words)
freq = defaultdict(int)
for w in re.findall(r"[a-z]+", text):
    freq[w] += 1
index = {}
for pos, w in enumerate(words):
    index.setdefault(w[:3], []).append(pos)
top = heapq.nlargest(5, freq.items(), key=lambda kv: (kv[1], kv[0]))
print("words", len(freq), top, len(index), sum(len(v) for v in index.values()))
caps = text.title().replace("Ka", "KA").split()
print("text", len(text), len(caps), sorted(set(caps))[:4], sum(map(len, caps)) % 65521)

# Sorting records, tuple keys, string formatting.
recs = [(next(rng) % 1000, next(rng) % 97, "r%05d" % i) for i in range(30000 * scale)]
recs.sort(key=lambda r: (r[1], -r[0], r[2]))
checksum = 0
for i, (a, b, name) in enumerate(recs):
    checksum = (checksum * 31 + a * 7 + b + len(name) + i) % 1000000007
print("sort", recs[0], recs[-1], checksum)

# Floating point: a small n-body-like integration, printed with repr.
pos = [[float(i), float(i * i % 7), float(i % 3)] for i in range(8)]
vel = [[0.0, 0.0, 0.0] for _ in range(8)]
for step in range(150 * scale):
    for i in range(8):
        ax = ay = az = 0.0
        for j in range(8):
            if i != j:
                dx, dy, dz = (pos[j][k] - pos[i][k] for k in range(3))
                d2 = dx * dx + dy * dy + dz * dz + 0.01
                inv = 1.0 / (d2 * d2 ** 0.5)
                ax, ay, az = ax + dx * inv, ay + dy * inv, az + dz * inv
        vel[i][0] += 0.001 * ax; vel[i][1] += 0.001 * ay; vel[i][2] += 0.001 * az
    for i in range(8):
        for k in range(3):
            pos[i][k] += 0.001 * vel[i][k]
print("nbody", repr(sum(p[0] for p in pos)), repr(sum(v[1] for v in vel)), "%.9e" % sum(p[2] for p in pos))
