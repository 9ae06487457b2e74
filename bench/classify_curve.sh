#!/usr/bin/env bash
# The theme classifier's learning curve on SIB-200 (issue 19, item 6):
# the release `parley classify-bench` trained on part of each language's
# train.tsv (1/8 to all of its 701 sentences; below all, four
# different slices, each starting a quarter further on and wrapping
# round) and measured on the whole dev split. How accuracy grows with the
# labelled sentences tells how far more data, rather than a better
# learner, would carry it. Prints a Markdown section for bench/RESULTS.md.
set -euo pipefail
# `set -e` also inside $(slice …): a failed copy must stop the run, not
# train on a cut-short slice.
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

parley=target/release/parley
data=../shared/data/sib200
[ -x "$parley" ] || { echo "classify_curve: $parley is not built" >&2; exit 1; }
# Training rows per language (the same sentences in every language).
rows=$(( $(wc -l <"$data/eng_Latn/train.tsv") - 1 ))

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# slice FRACTION SLICES SLICE: a training directory with that slice of
# every language; prints its path.
slice() {
    local out="$dir/$1-$3" folder
    for folder in "$data"/*/; do
        folder=$(basename "$folder")
        [ -f "$data/$folder/train.tsv" ] || continue
        mkdir -p "$out/$folder"
        # The header, then int(n × fraction) rows from row slice × n ÷
        # slices on, wrapping round to the first.
        awk -v f="$1" -v slices="$2" -v slice="$3" '
            NR == 1 { print; next }
            { rows[NR - 2] = $0 }
            END {
                n = NR - 1
                k = int(n * f)
                start = int(slice * n / slices)
                for (j = 0; j < k; j++) print rows[(start + j) % n]
            }' "$data/$folder/train.tsv" >"$out/$folder/train.tsv"
    done
    echo "$out"
}

echo "### The classifier's learning curve on SIB-200 (item 6)"
echo
echo "\`bench/classify_curve.sh\`: \`parley classify-bench\` trained on part of each language's train split, measured on"
echo "the whole dev split (99 sentences per language). Below all $rows sentences, the mean of four slices."
echo
echo "| training sentences per language | mean accuracy, six interface languages | lowest and highest slice |"
echo "| ---: | ---: | --- |"
for fraction in 0.125 0.25 0.5 0.75 1; do
    slices=4
    [ "$fraction" = 1 ] && slices=1
    scores=""
    for ((s = 0; s < slices; s++)); do
        train=$(slice "$fraction" "$slices" "$s")
        score=$("$parley" classify-bench --train "$train" --test "$data" --json |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["mean_accuracy_ui"])')
        scores="$scores $score"
    done
    python3 - "$rows" "$fraction" $scores <<'PY'
import sys
rows, fraction = int(sys.argv[1]), float(sys.argv[2])
scores = [float(s) for s in sys.argv[3:]]
mean = sum(scores) / len(scores)
spread = f"{min(scores):.3f} to {max(scores):.3f}" if len(scores) > 1 else ""
print(f"| {int(rows * fraction)} | {mean:.3f} | {spread} |")
PY
done
echo
