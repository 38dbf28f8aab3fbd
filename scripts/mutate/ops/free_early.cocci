// family: reference
// A kfree() moved before the statement that precedes it: a use after
// free where that statement still uses the object.
@r@
expression E;
expression F;
position p : script:python() { pick(p) };
@@
- F;
+ kfree(E);
+ F;
- kfree@p(E);
