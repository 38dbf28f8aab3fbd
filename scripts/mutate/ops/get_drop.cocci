// family: reference
// A reference is used without being taken: a get or hold left out, or a
// conditional hold assumed to have succeeded.
@r@
identifier fn =~ "^(refcount_inc|ioasim_ctx_get|ioasim_pages_get|group_get|iommu_group_get|kref_get)$";
identifier hold =~ "^(ioasim_obj_hold|ioasim_obj_tryget)$";
expression list ES;
position p : script:python() { pick(p) };
@@
(
- fn@p(ES);
|
- hold@p(ES)
+ true
)
