// family: reference
// A put, unhold or reference drop is done twice: an underflow or a free
// while still in use.
@r@
identifier fn =~ "^(ioasim_obj_put|ioasim_obj_unhold|ioasim_ioas_put|ioasim_ctx_put|ioasim_pages_put|ioasim_hwpt_unhold|group_put|iommu_group_put|refcount_dec|kref_put)$";
expression list ES;
position p : script:python() { pick(p) };
@@
  fn@p(ES);
+ fn(ES);
