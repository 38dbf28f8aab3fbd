// family: pinning
// Pages let go of before the domain stops mapping them: an unmap and the
// unpin or put that follows it swapped.
@r@
identifier un =~ "(unmap|remove_domain|unfill)";
identifier rel =~ "(unpin|_put$|uncharge|remove_user)";
expression list E1, E2;
position p : script:python() { pick(p) };
@@
- un@p(E1);
- rel(E2);
+ rel(E2);
+ un(E1);
