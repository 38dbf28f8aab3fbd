// family: pinning
// Pages let go of before the domain stops mapping them: a domain unmap
// and the unpin that follows it (plain or conditional) swapped.
@r@
identifier un =~ "^(area_unmap_domain|iommu_unmap|ioasim_space_remove_domain)$";
identifier rel =~ "^(ioasim_pages_remove_user|pages_unpin_span|unpin_user_pages|ioasim_space_unpin)$";
expression list E1, E2;
expression C;
position p : script:python() { pick(p) };
@@
(
- un@p(E1);
- rel(E2);
+ rel(E2);
+ un(E1);
|
- un@p(E1);
- if (C)
-	rel(E2);
+ if (C)
+	rel(E2);
+ un(E1);
)
