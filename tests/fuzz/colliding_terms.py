#!/usr/bin/env python3
"""colliding_terms.py - terms sharing one hash in textclass's term hash, and
a model whose vocabulary holds them (hash flooding: core/vocab.c refuses
more than 8 terms of one hash).

The term hash (core/terms.c) is H(s c) = H(s) * B + c + 1 mod 2^64. Two
strings of one length collide when their byte differences d satisfy
sum d_i B^(n-1-i) = 0 mod 2^64: the vectors d form a lattice, and LLL
reduction finds a basis of short ones (entries within +-4 for n = 32).
Adding a few of them to "mmm...m" keeps every byte within a..z.

    colliding_terms.py words K            K colliding 32-letter words
    colliding_terms.py model K TEMPLATE OUT
        OUT: TEMPLATE (a linear model, format 3, extractor format 2) with
        its vocabulary replaced by K colliding words (df 2 of 10 documents,
        min_df 1, no max_features) and zero weights
    colliding_terms.py extractor K TEMPLATE OUT
        OUT: that model's extractor bytes (the EXTR payload)

tests/data/cli/colliding.model and tests/fuzz/seeds/fuzz_model/
colliding-terms.model were made with `model 10 tests/fuzz/seeds/fuzz_model/
linear.model OUT` (seed 7), tests/fuzz/seeds/fuzz_extractor/
colliding_terms.bin with `extractor 10 ...`.
"""
import random
import struct
import sys
import zlib
from fractions import Fraction

B = 0xC2B2AE3D27D4EB4F
M = 1 << 64


def term_hash(s):
    h = 0
    for c in s:
        h = (h * B + c + 1) % M
    return h


def lll(b, delta=Fraction(99, 100)):
    """LLL reduction of the rows of b (exact, textbook updates)."""
    b = [list(v) for v in b]
    n = len(b)
    dot = lambda u, v: sum(x * y for x, y in zip(u, v))
    star, norm, mu = [], [], [[Fraction(0)] * n for _ in range(n)]
    for i in range(n):
        v = [Fraction(x) for x in b[i]]
        for j in range(i):
            mu[i][j] = dot(b[i], star[j]) / norm[j]
            v = [x - mu[i][j] * y for x, y in zip(v, star[j])]
        star.append(v)
        norm.append(dot(v, v))

    def size_reduce(k, l):
        q = round(mu[k][l])
        if q:
            b[k] = [x - q * y for x, y in zip(b[k], b[l])]
            mu[k][l] -= q
            for i in range(l):
                mu[k][i] -= q * mu[l][i]

    k = 1
    while k < n:
        size_reduce(k, k - 1)
        if norm[k] < (delta - mu[k][k - 1] ** 2) * norm[k - 1]:
            m = mu[k][k - 1]
            nk = norm[k] + m * m * norm[k - 1]
            mu[k][k - 1] = m * norm[k - 1] / nk
            norm[k] = norm[k - 1] * norm[k] / nk
            norm[k - 1] = nk
            b[k], b[k - 1] = b[k - 1], b[k]
            for j in range(k - 1):
                mu[k][j], mu[k - 1][j] = mu[k - 1][j], mu[k][j]
            for i in range(k + 1, n):
                t = mu[i][k]
                mu[i][k] = mu[i][k - 1] - m * t
                mu[i][k - 1] = t + mu[k][k - 1] * mu[i][k]
            k = max(k - 1, 1)
        else:
            for l in range(k - 2, -1, -1):
                size_reduce(k, l)
            k += 1
    return b


def colliding(k, n=32, seed=7):
    """k distinct n-letter words (a..z) with one hash, in byte order."""
    w = [pow(B, n - 1 - i, M) for i in range(n)]
    rows = [[int(i == j) for j in range(n - 1)] + [(-w[i]) % M] for i in range(n - 1)]
    rows.append([0] * (n - 1) + [M])
    basis = lll(rows)
    rnd = random.Random(seed)
    out = set()
    while len(out) < k:
        v = [ord('m')] * n
        for _ in range(12):
            s, r = rnd.choice((-1, 1)), basis[rnd.randrange(n)]
            v = [x + s * y for x, y in zip(v, r)]
        if all(97 <= x <= 122 for x in v):
            out.add(bytes(v))
    out = sorted(out)
    assert len({term_hash(t) for t in out}) == 1
    return out


def sections(p):
    pos, out = 32, []
    while pos < len(p):
        n, = struct.unpack_from('<Q', p, pos + 4)
        out.append((p[pos:pos + 4], p[pos + 12:pos + 12 + n]))
        pos += 12 + n
    return out


def extractor(template, terms):
    """The template's extractor bytes with min_df 1, no max_features and terms."""
    e = bytearray(template)
    version, = struct.unpack_from('<I', e, 4)
    assert version == 2, "extractor format 2 expected"
    pos = 12 + 6 * 4                            # magic, version, rules, 6 options
    struct.pack_into('<I', e, pos + 16, 1)      # min_df
    struct.pack_into('<I', e, pos + 28, 0)      # max_features
    pos += 5 * 4 + 8 + 4 * 4                    # n-grams, min_df, max_df, 4 options
    assert struct.unpack_from('<I', e, pos)[0] == 0, "no custom stop words expected"
    v = e[:pos + 4] + struct.pack('<QI', 10, len(terms))
    for t in terms:
        v += struct.pack('<I', len(t)) + t + struct.pack('<I', 2)
    return bytes(v)


def model(template, terms):
    secs = dict(sections(template))
    labels, = struct.unpack_from('<I', secs[b'LABL'], 0)
    old, = struct.unpack_from('<Q', secs[b'LINR'], 0)
    biases = secs[b'LINR'][12 + 4 * old * labels:]
    new = {b'EXTR': extractor(secs[b'EXTR'], terms),
           b'LINR': struct.pack('<QI', len(terms), labels) + bytes(4 * len(terms) * labels) + biases}
    body = b''.join(tag + struct.pack('<Q', len(s)) + s
                    for tag, s in ((t, new.get(t, s)) for t, s in sections(template)))
    head = bytearray(template[:32])
    struct.pack_into('<Q', head, 16, 32 + len(body))
    struct.pack_into('<I', head, 24, zlib.crc32(body))
    return bytes(head) + body


def main(argv):
    what, k = argv[1], int(argv[2])
    terms = colliding(k)
    if what == 'words':
        print('\n'.join(t.decode() for t in terms))
        return
    template = open(argv[3], 'rb').read()
    out = model(template, terms)
    if what == 'extractor':
        out = dict(sections(out))[b'EXTR']
    open(argv[4], 'wb').write(out)


if __name__ == '__main__':
    main(sys.argv)
