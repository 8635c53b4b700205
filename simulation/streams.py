"""The random streams a run's people are drawn from, besides its own generator.

Issue 11's attributes (age, language, health literacy, digital access, recruitment) come
from a stream of their own, :func:`people_stream`, derived from the run's seed without
drawing from its generator, so that adding them left every earlier draw as it was.
:func:`people_streams` makes the same generators for many runs at once (issue 12): numpy's
seed sequence worked out in whole-array integer arithmetic (tests/test_rule_people.py
checks them against numpy's own).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.random.bit_generator import ISeedSequence

# The key that names the people stream, appended to the run's seed: a name, not behaviour.
PEOPLE_STREAM = 11


def people_stream(rng: np.random.Generator) -> np.random.Generator:
    """A generator for the issue-11 attributes, derived from ``rng``'s seed without
    drawing from ``rng`` (its own draws stay as they were) or changing its state."""
    seed = rng.bit_generator.seed_seq
    if isinstance(seed, np.random.SeedSequence):
        key = (*seed.spawn_key, PEOPLE_STREAM)
        return np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=key))
    # A generator with no seed sequence (one restored from a bare state): seed the stream
    # from that state instead, read, not drawn from.
    digest = hashlib.sha256(repr(rng.bit_generator.state).encode()).digest()
    entropy = int.from_bytes(digest, "little")
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(PEOPLE_STREAM,)))


def people_streams(rngs: Sequence[np.random.Generator]) -> list[np.random.Generator]:
    """Each run's :func:`people_stream`, the same generators made faster: numpy's seed
    sequence (its hash of the seed and the key into a PCG64 state, :func:`_seed_states`)
    worked out for all the runs at once, in whole-array integer arithmetic."""
    streams: list[np.random.Generator | None] = [None] * len(rngs)
    by_length: dict[int, list[tuple[int, list[int]]]] = {}  # runs by entropy length
    for r, rng in enumerate(rngs):
        seed = rng.bit_generator.seed_seq
        if (
            type(rng.bit_generator) is np.random.PCG64  # default_rng's (numpy's words)
            and isinstance(seed, np.random.SeedSequence)  # (for mypy; the next line checks)
            and type(seed) is np.random.SeedSequence
            and seed.pool_size == _POOL
            and isinstance(seed.entropy, int)
            and sys.byteorder == "little"
        ):
            if seed.entropy < _SHORT and not seed.spawn_key:  # (a sweep's seeds) the same words
                entropy = seed.entropy
                words = [entropy & _WORD, entropy >> 32, 0, 0, PEOPLE_STREAM]
                by_length.setdefault(5, []).append((r, words))
                continue
            run = _words(seed.entropy)
            run += [0] * (_POOL - len(run))  # a spawn key follows: the seed padded to a pool
            key = [w for k in (*seed.spawn_key, PEOPLE_STREAM) for w in _words(int(k))]
            by_length.setdefault(len(run) + len(key), []).append((r, run + key))
        else:
            streams[r] = people_stream(rng)
    for found in by_length.values():
        states = _seed_states(np.array([words for _, words in found], dtype=np.uint32))
        for (r, _), state in zip(found, states, strict=True):
            streams[r] = np.random.Generator(np.random.PCG64(_Seeded(state)))  # type: ignore[arg-type]
    return streams  # type: ignore[return-value]


# numpy's SeedSequence (numpy/random/bit_generator.pyx): a pool of four 32-bit words
# mixed from the entropy, then hashed into the words a bit generator is seeded with.
_POOL = 4
_WORD = 0xFFFF_FFFF
_SHORT = 2**64  # a seed of at most two words, padded to the pool, then the stream's key
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R, _XSHIFT = 0xCA01F9DD, 0x4973F715, 16
type Words = npt.NDArray[np.uint32]


def _words(value: int) -> list[int]:
    """A non-negative integer as numpy's seed words: 32 bits each, lowest first."""
    words = [value & _WORD]
    value >>= 32
    while value:
        words.append(value & _WORD)
        value >>= 32
    return words


def _seed_states(entropy: Words) -> npt.NDArray[np.uint64]:
    """(runs, 4) uint64: ``SeedSequence.generate_state(4, np.uint64)`` of each row of
    ``entropy`` (runs, words) uint32, the assembled entropy (seed words, padded, then
    the spawn key's), in uint32 arithmetic (it wraps as numpy's C does)."""
    hash_a = _INIT_A  # the hash constant steps the same way for every run

    def hashmix(value: Words) -> Words:
        nonlocal hash_a
        value = value ^ np.uint32(hash_a)
        hash_a = (hash_a * _MULT_A) & _WORD
        value = value * np.uint32(hash_a)
        return value ^ (value >> np.uint32(_XSHIFT))

    def mix(x: Words, y: Words) -> Words:
        result = x * np.uint32(_MIX_MULT_L) - y * np.uint32(_MIX_MULT_R)
        return result ^ (result >> np.uint32(_XSHIFT))

    runs, length = entropy.shape
    zero = np.zeros(runs, np.uint32)
    pool = [hashmix(entropy[:, i] if i < length else zero) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, length):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(entropy[:, src]))
    hash_b = _INIT_B
    out = np.empty((runs, 2 * 4), np.uint32)  # 4 uint64 words, little-endian halves
    for i in range(out.shape[1]):
        value = pool[i % _POOL] ^ np.uint32(hash_b)
        hash_b = (hash_b * _MULT_B) & _WORD
        value = value * np.uint32(hash_b)
        out[:, i] = value ^ (value >> np.uint32(_XSHIFT))
    return out.view(np.uint64)


class _Seeded(ISeedSequence):
    """A seed sequence whose state is already worked out (:func:`_seed_states`)."""

    def __init__(self, state: np.ndarray) -> None:
        self.state = state

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        """The state PCG64 asks for: 4 uint64 words."""
        if n_words != self.state.size or np.dtype(dtype) != self.state.dtype:
            raise ValueError("a worked-out seed state holds 4 uint64 words")
        return self.state
