// family: ranges
// A bound compared the wrong way: < and <=, > and >= swapped where one
// side names an address, a length or an index.
@r@
expression A;
identifier I =~ "(iova|last|end|start|first|length|index|npages|nbits|offset|aperture)";
expression E;
position p : script:python() { pick(p) };
@@
(
- A <@p I
+ A <= I
|
- A <=@p I
+ A < I
|
- A >@p I
+ A >= I
|
- A >=@p I
+ A > I
|
- A <@p E->I
+ A <= E->I
|
- A <=@p E->I
+ A < E->I
|
- A >@p E->I
+ A >= E->I
|
- A >=@p E->I
+ A > E->I
)
