"""Makes a GPT-2-style byte-level BPE tokenizer.json of a chosen vocabulary size.

The vocabulary is GPT-2's 256 byte symbols (its bytes_to_unicode map), then merges learned
by plain BPE on the GPL-3 text shipped in every Debian system
(/usr/share/common-licenses/GPL-3, which is ASCII: no merged token spells part of a
multi-byte character, so any non-ASCII character in decoded text comes from several byte
tokens), then three added tokens: <|endoftext|>, <|im_start|>, <|im_end|> (ChatML's turn
markers, so that a chat template's end of turn is one token). Deterministic: the same
text gives the same file.

    /usr/bin/python3 gen_byte_level.py OUTDIR [VOCAB_SIZE]

test-suite/tokenizer/byte-level-600 is the 600-token one, for the 600-entry vocabulary of
test-suite/models/llama_vocab600 (the chat app's test).
"""
import collections
import json
import os
import re
import sys

ADDED = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def bytes_to_unicode():
    """GPT-2's map from each byte to a printable character."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


def learn_merges(text, count, byte_symbol):
    """`count` BPE merges over the words of `text` (GPT-2's split, simplified for ASCII)."""
    words = collections.Counter(re.findall(r" ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+", text))
    pieces = {w: [byte_symbol[b] for b in w.encode()] for w in words}
    merges = []
    for _ in range(count):
        pairs = collections.Counter()
        for word, n in words.items():
            symbols = pieces[word]
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += n
        # The most frequent pair; ties go to the smallest pair, so the result is stable.
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        for word in words:
            symbols, merged = pieces[word], []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    merged.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            pieces[word] = merged
    return merges


def main():
    out = sys.argv[1]
    vocab_size = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    byte_symbol = bytes_to_unicode()
    text = open("/usr/share/common-licenses/GPL-3", encoding="ascii").read()
    merges = learn_merges(text, vocab_size - 256 - len(ADDED), byte_symbol)
    vocab = {byte_symbol[b]: b for b in range(256)}
    for left, right in merges:
        vocab[left + right] = len(vocab)
    assert len(vocab) == vocab_size - len(ADDED), "a merge made a token twice"
    added = [{"id": len(vocab) + i, "content": t, "special": True} for i, t in enumerate(ADDED)]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tokenizer = {
        "version": "1.0",
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {"type": "BPE", "unk_token": None, "byte_fallback": False, "fuse_unk": False,
                  "vocab": vocab, "merges": [f"{left} {right}" for left, right in merges]},
    }
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
