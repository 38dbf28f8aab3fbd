// family: ranges
// An inclusive last and an exclusive end confused: the "- 1" of a last
// computed from a start and a length is dropped.
@r@
expression A, B;
position p : script:python() { pick(p) };
@@
(
- A@p + B - 1
+ A + B
|
- A@p + (B - 1)
+ A + B
)
