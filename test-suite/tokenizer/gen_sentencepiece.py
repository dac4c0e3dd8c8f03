"""Makes a Llama-2-style tokenizer.json and reference ids with Debian's python3-sentencepiece.

Trains a small BPE SentencePiece model with byte fallback on the GPL-3 text shipped in
every Debian system (/usr/share/common-licenses/GPL-3), writes it as a Hugging Face
tokenizer.json the way Llama-2's is laid out (Prepend/Replace "▁" normalizer, BPE with
byte_fallback, merges ranked by the merged piece's score, <s> added by the
post-processor), and records SentencePiece's own ids for sample texts — the independent
reference edgec's tokenizer is tested against.

    /usr/bin/python3 gen_sentencepiece.py OUTDIR [VOCAB_SIZE [--no-byte-fallback]]

test-suite/tokenizer/sentencepiece is the 600-token default; sentencepiece-small is a
120-token one without byte fallback (characters it never saw become <unk>), small enough
for the 128-entry vocabulary of the test LMs, to generate text from a --prompt.
"""
import json
import os
import sys
import tempfile

import sentencepiece as spm

SAMPLES = [
    "Hello world",
    "The GNU General Public License is a free, copyleft license for software.",
    "  leading spaces, trailing too  ",
    "numbers 1234567 and 3.14159; punctuation!?",
    "naïve café — über Straße",
    "emoji 🙂 and 中文 fall back to bytes",
    "tabs\tand\nnewlines",
    "You should have received a copy of the GNU General Public License",
]


def write_tokenizer(text_path, out, vocab_size, byte_fallback, samples=SAMPLES):
    """Trains on `text_path`, writes OUT/tokenizer.json and OUT/reference.json (SentencePiece's
    ids for `samples`); returns the trained SentencePieceProcessor."""
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        prefix = os.path.join(work, "sp")
        spm.SentencePieceTrainer.train(
            input=text_path, model_prefix=prefix, model_type="bpe", vocab_size=vocab_size,
            byte_fallback=byte_fallback, character_coverage=1.0, bos_id=1, eos_id=2, unk_id=0, pad_id=-1,
            split_digits=True, add_dummy_prefix=True, remove_extra_whitespaces=False,
            normalization_rule_name="identity", minloglevel=2)
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")

    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    # Every way to make a piece from two pieces, ranked by the merged piece's score.
    merges = []
    for piece in sorted(vocab, key=lambda p: -sp.get_score(vocab[p])):
        if sp.is_control(vocab[piece]) or sp.is_byte(vocab[piece]) or sp.is_unknown(vocab[piece]):
            continue
        for cut in range(1, len(piece)):
            left, right = piece[:cut], piece[cut:]
            if left in vocab and right in vocab:
                merges.append((vocab[piece], vocab[left], vocab[right], f"{left} {right}"))
    merges.sort(key=lambda m: (m[0], m[1], m[2]))
    tokenizer = {
        "version": "1.0",
        "added_tokens": [{"id": i, "content": pieces[i], "special": True} for i in (0, 1, 2)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": byte_fallback, "fuse_unk": True,
                  "vocab": vocab, "merges": [m[3] for m in merges]},
    }
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=0)
    reference = {"reference": f"sentencepiece {spm.__version__}",
                 "cases": [{"text": t, "ids": sp.encode(t)} for t in samples]}
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        lines = ",\n".join("  " + json.dumps(case, ensure_ascii=False) for case in reference["cases"])
        f.write('{"reference": %s, "cases": [\n%s\n]}\n' % (json.dumps(reference["reference"]), lines))
    return sp


def main():
    vocab_size = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    write_tokenizer("/usr/share/common-licenses/GPL-3", sys.argv[1], vocab_size, "--no-byte-fallback" not in sys.argv)


if __name__ == "__main__":
    main()
