
// Put after every operator by scripts/mutate.py: lists rule r's sites.
@script:python depends on r@
p << r.p;
@@
if MUT_AT is None:
    print("MUTATE-SITE %s:%s" % (p[0].line, p[0].column))
