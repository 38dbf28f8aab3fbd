// family: ranges
// An overflow check removed: the sum is taken as if it could not wrap.
@r@
expression A, B, C;
position p : script:python() { pick(p) };
@@
- check_add_overflow@p(A, B, C)
+ (*(C) = (A) + (B), false)
