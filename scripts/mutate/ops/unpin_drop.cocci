// family: pinning
// An unpin or an uncharge is left out: pages pinned or memory charged
// for ever.
@r@
identifier fn =~ "^(pages_unpin_span|ioasim_space_unpin|ioasim_space_unpin_owner|ioasim_access_unpin_pages|unpin_user_pages|unpin_user_pages_dirty_lock|access_drop_pin|access_put_pin|ioasim_pages_uncharge|ioasim_pages_remove_user)$";
expression list ES;
position p : script:python() { pick(p) };
@@
- fn@p(ES);
