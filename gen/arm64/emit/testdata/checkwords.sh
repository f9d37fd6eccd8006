#!/bin/sh
# checkwords.sh assembles the instruction beside every distinct WORD in
# asm/*_arm64.s with llvm-mc (apt-get install llvm) and reports any whose
# encoding differs. Run from anywhere in the tree.
set -e
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -h 'WORD \$0x' "$root"/asm/*_arm64.s | sed 's/^[[:space:]]*//' | sort -u > "$tmp/words"
sed 's/.*\/\/ //' "$tmp/words" | tr 'A-Z' 'a-z' > "$tmp/words.s"
llvm-mc -triple=aarch64 -show-encoding "$tmp/words.s" |
	sed -n 's/.*encoding: \[0x\(..\),0x\(..\),0x\(..\),0x\(..\)\].*/\4\3\2\1/p' > "$tmp/llvm"
sed 's/WORD \$0x\([0-9a-f]*\).*/\1/' "$tmp/words" > "$tmp/ours"
n=$(wc -l < "$tmp/words")
if [ "$(wc -l < "$tmp/llvm")" -ne "$n" ]; then
	echo "llvm-mc did not assemble every instruction" >&2
	exit 1
fi
if paste "$tmp/ours" "$tmp/llvm" "$tmp/words" | awk -F'\t' '$1 != $2 { print "mismatch: " $3 " (llvm-mc: " $2 ")"; bad = 1 } END { exit bad }'; then
	echo "all $n distinct WORDs match llvm-mc"
fi
