// family: reference
// A put, unhold or reference drop is left out: a leak the ledger, the
// object counts or the sanitizers must notice.
@r@
identifier fn =~ "^(ioasim_obj_put|ioasim_obj_unhold|ioasim_ioas_put|ioasim_ctx_put|ioasim_pages_put|ioasim_hwpt_unhold|ioasim_slices_put|group_put|iommu_group_put|refcount_dec|kref_put|fput)$";
expression list ES;
position p : script:python() { pick(p) };
@@
- fn@p(ES);
