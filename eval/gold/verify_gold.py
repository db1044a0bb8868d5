#!/usr/bin/env python3
"""Check the jfp-assistant gold set (stdlib only).

Usage:
    python3 eval/gold/verify_gold.py [CORPUS_DIR] [--gold FILE ...]

CORPUS_DIR defaults to /work/shared/seeds; every *.txt / *.md file in it (not
README.md) is searched. Gold files default to dev.jsonl and heldout.jsonl next
to this script.

Checks (errors make the exit status 1):
  * every line is a JSON object with the required fields;
  * ids are unique across all gold files, questions are not repeated;
  * kind is one of duty|process|local|out_of_scope;
  * duty (when present) is one of the known duty ids;
  * out-of-scope items have out_of_scope: true and no must_mention;
    in-scope items have 1-6 must_mention phrases and a source prefix;
  * every must_mention phrase occurs verbatim (case-insensitive,
    whitespace-collapsed) in at least one corpus file.
Warnings (printed, exit status unaffected):
  * a phrase found in the corpus but not in the item's own source file
    (only when the corpus files carry the NNN_ prefixes of the seeds);
  * a phrase longer than 6 words, or a single word in a multi-phrase list.
Finally prints counts per file, per kind and per duty.
"""
import argparse
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = "/work/shared/seeds"
DEFAULT_GOLD = [os.path.join(HERE, "dev.jsonl"), os.path.join(HERE, "heldout.jsonl")]

DUTIES = [
    # statutory duties
    "health_services", "integration", "wider_effect", "financial", "jlhws", "quality",
    "inequalities", "patient_involvement", "public_involvement", "patient_choice", "advice",
    "innovation", "research", "education_training", "climate_change",
    "children_young_people", "victims_of_abuse",
    # content areas
    "workforce", "digital_data", "estates", "procurement", "population_health_management",
    "system_development", "wider_social_economic",
]
KINDS = ["duty", "process", "local", "out_of_scope"]


def norm(text):
    return re.sub(r"\s+", " ", text).strip().lower()


def load_corpus(folder):
    docs = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not os.path.isfile(path) or name.lower() == "readme.md":
            continue
        if not name.lower().endswith((".txt", ".md")):
            continue
        with open(path, encoding="utf-8", errors="replace") as fh:
            docs[name] = norm(fh.read())
    return docs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS, help="folder of corpus text files")
    ap.add_argument("--gold", nargs="+", default=DEFAULT_GOLD, help="gold JSONL files")
    args = ap.parse_args(argv)

    if not os.path.isdir(args.corpus):
        print(f"ERROR: corpus folder not found: {args.corpus}")
        return 1
    docs = load_corpus(args.corpus)
    if not docs:
        print(f"ERROR: no .txt/.md files in {args.corpus}")
        return 1
    by_prefix = {}
    for name in docs:
        m = re.match(r"^(\d{3})_", name)
        if m:
            by_prefix[m.group(1)] = name

    errors, warnings = [], []
    seen_ids, seen_q = {}, {}
    per_file_kind = collections.OrderedDict()
    per_duty = collections.defaultdict(collections.Counter)
    n_phrases = 0

    for gold in args.gold:
        label = os.path.basename(gold)
        per_file_kind[label] = collections.Counter()
        if not os.path.isfile(gold):
            errors.append(f"{label}: file not found")
            continue
        with open(gold, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        for ln, line in enumerate(lines, 1):
            where = f"{label}:{ln}"
            if not line.strip():
                errors.append(f"{where}: blank line")
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: invalid JSON ({exc})")
                continue
            if not isinstance(item, dict):
                errors.append(f"{where}: not a JSON object")
                continue
            iid = item.get("id")
            where = f"{label}:{ln} [{iid}]"
            if not isinstance(iid, str) or not iid:
                errors.append(f"{where}: missing id")
            elif iid in seen_ids:
                errors.append(f"{where}: duplicate id (also {seen_ids[iid]})")
            else:
                seen_ids[iid] = where
            q = item.get("question")
            if not isinstance(q, str) or not q.strip():
                errors.append(f"{where}: missing question")
            else:
                key = norm(q)
                if key in seen_q:
                    errors.append(f"{where}: question repeated (also {seen_q[key]})")
                seen_q[key] = where
            kind = item.get("kind")
            if kind not in KINDS:
                errors.append(f"{where}: kind {kind!r} not in {KINDS}")
            per_file_kind[label][kind] += 1
            duty = item.get("duty")
            if duty is not None:
                if duty not in DUTIES:
                    errors.append(f"{where}: unknown duty id {duty!r}")
                per_duty[duty][label] += 1

            oos = item.get("out_of_scope", False)
            mm = item.get("must_mention")
            if kind == "out_of_scope" or oos:
                if oos is not True:
                    errors.append(f"{where}: out-of-scope item needs \"out_of_scope\": true")
                if kind != "out_of_scope":
                    errors.append(f"{where}: out_of_scope true but kind is {kind!r}")
                if mm:
                    errors.append(f"{where}: out-of-scope item must not have must_mention")
                if duty is not None:
                    errors.append(f"{where}: out-of-scope item should not have a duty")
                continue

            if not isinstance(mm, list) or not (1 <= len(mm) <= 6):
                errors.append(f"{where}: must_mention must be a list of 1-6 phrases")
                mm = mm if isinstance(mm, list) else []
            src = item.get("source")
            if not isinstance(src, str) or not re.fullmatch(r"\d{3}", src):
                errors.append(f"{where}: source must be a 3-digit seed prefix, got {src!r}")
                src = None
            elif by_prefix and src not in by_prefix:
                errors.append(f"{where}: source {src} matches no corpus file")
            if len({norm(p) for p in mm if isinstance(p, str)}) != len(mm):
                errors.append(f"{where}: duplicate must_mention phrases")
            for phrase in mm:
                n_phrases += 1
                if not isinstance(phrase, str) or not phrase.strip():
                    errors.append(f"{where}: empty or non-string phrase {phrase!r}")
                    continue
                p = norm(phrase)
                hits = [name for name, text in docs.items() if p in text]
                if not hits:
                    errors.append(f"{where}: phrase not found verbatim in any corpus file: {phrase!r}")
                    continue
                if src and src in by_prefix and by_prefix[src] not in hits:
                    warnings.append(f"{where}: phrase {phrase!r} not in source {src} (found in {', '.join(hits)})")
                nwords = len(phrase.split())
                if nwords > 6 or (nwords < 2 and len(mm) > 1):
                    warnings.append(f"{where}: phrase of {nwords} word(s), aim for 2-6: {phrase!r}")

    # report
    print(f"corpus: {args.corpus} ({len(docs)} files)")
    total = collections.Counter()
    for label, counter in per_file_kind.items():
        total.update(counter)
        parts = ", ".join(f"{k}={counter.get(k, 0)}" for k in KINDS)
        print(f"{label}: {sum(counter.values())} items ({parts})")
    print(f"all: {sum(total.values())} items ({', '.join(f'{k}={total.get(k, 0)}' for k in KINDS)}); "
          f"{n_phrases} must_mention phrases")
    labels = list(per_file_kind)
    print("\nper duty: " + " ".join(f"{l:>14}" for l in labels) + f" {'total':>6}")
    for d in DUTIES:
        row = per_duty.get(d, collections.Counter())
        flag = ""
        tot = sum(row.values())
        if tot < 2:
            flag = "  <- fewer than 2"
        elif any(row.get(l, 0) == 0 for l in labels):
            flag = "  (absent from a split)"
        print(f"  {d:<30}" + " ".join(f"{row.get(l, 0):>14}" for l in labels) + f" {tot:>6}{flag}")
    unknown = [d for d in per_duty if d not in DUTIES]
    for d in unknown:
        print(f"  {d!r:<30} (unknown)")
    no_duty = sum(v for k, v in total.items() if k != "out_of_scope") - sum(
        sum(c.values()) for d, c in per_duty.items())
    print(f"  in-scope items without a duty: {no_duty}")

    for w in warnings:
        print("WARNING: " + w)
    for e in errors:
        print("ERROR: " + e)
    print(f"\n{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
