// family: errors
// A goto to the wrong label: an error path jumps to the label after its
// own (one rollback step skipped), or before it when its own is the
// function's last (one step too many).
@labels@
identifier f, L;
position pl;
@@
f(...) {
  <...
L@pl:
  ...>
}

@script:python@
f << labels.f;
L << labels.L;
pl << labels.pl;
@@
LABELS.setdefault(f, {})[L] = int(pl[0].line)

@r@
identifier f, L1;
fresh identifier L2 = script:python(f, L1) { other_label(f, L1) };
position p : script:python() { pick(p) };
@@
f(...) {
  <...
- goto L1@p;
+ goto L2;
  ...>
}
