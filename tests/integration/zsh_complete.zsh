#!/usr/bin/zsh -f
# SPDX-License-Identifier: GPL-2.0-only
# zsh_complete.zsh DIR OUT LINE: type LINE and TAB into an interactive zsh
# whose fpath starts with DIR (holding _runtrace), and append to OUT every
# match its completion functions add (each compadd, as it is called), one a
# line, then __DONE__ once the completion has finished.  Exit 0 if it did
# within 10 s.  For tests/integration/test_completion.py.
zmodload zsh/zpty || exit 3
out=${(q)2}
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "compadd() { local -a __m; builtin compadd -O __m \"\$@\"; print -rl -- \$__m >>$out; builtin compadd \"\$@\"; }"
zpty -w z "_rt_done() { print -r -- __DONE__ >>$out; }; comppostfuncs=(_rt_done)"
zpty -n -w z "$3"$'\t'
for i in {1..200}; do
	grep -q '^__DONE__$' $2 2>/dev/null && break
	sleep 0.05
done
zpty -d z
grep -q '^__DONE__$' $2
